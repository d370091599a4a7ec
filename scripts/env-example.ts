// Writes .env.example from the config schema (src/config.ts), the one list of variables.
import { writeFileSync } from 'node:fs';
import { envExample } from '../src/config.js';

writeFileSync('.env.example', envExample());
console.log('wrote .env.example');
