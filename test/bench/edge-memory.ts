/**
 * Run by bench:edge in a fresh process (node --expose-gc --import tsx): loads an edge bundle as the
 * worker does (jieba-wasm, the index from plain data) and prints what it added to V8's heap and
 * external memory (jieba's WebAssembly memory), as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { wasmJiebaSegmenter } from '../../src/edge/jieba-wasm.js';
import { loadEdgeIndex } from '../../src/edge/load.js';

const dir = process.argv[2];
const wasm = readFileSync(join(dirname(createRequire(import.meta.url).resolve('jieba-wasm/web')), 'jieba_rs_wasm_bg.wasm'));
const text = (f: string) => readFileSync(join(dir, f), 'utf8');
const data = { manifest: text('manifest.json'), kb: text('kb.json'), bm25: text('bm25.json'), weights: text('weights.json'), dict: text('dict.json'), vectors: readFileSync(join(dir, 'vectors.bin')) };
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
gc();
const before = process.memoryUsage();
const started = performance.now();
const { index } = loadEdgeIndex(data, (d) => wasmJiebaSegmenter(wasm, d));
await index.search('身份证丢了怎么办');
const ms = performance.now() - started;
gc();
const after = process.memoryUsage();
const MiB = 2 ** 20;
// The bundle's text as the worker holds it (module strings, two bytes a character) and the vectors' bytes.
const moduleBytes = Object.values(data).reduce((s, v) => s + (typeof v === 'string' ? v.length * 2 : v.byteLength), 0);
console.log(JSON.stringify({ ms, heap: (after.heapUsed - before.heapUsed) / MiB, external: (after.external - before.external) / MiB, modules: moduleBytes / MiB, chunks: index.chunks.length }));
