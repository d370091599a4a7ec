import { serverRestartSuite } from '../support/server-restart.js';

serverRestartSuite('postgres');
