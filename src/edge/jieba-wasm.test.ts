import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, type IntentRow, type Question } from '../../test/eval/harness.js';
import { loadKnowledgeBase } from '../kb/load.js';
import { buildChunks } from '../search/chunks.js';
import { loadDictionary } from '../search/dictionary.js';
import { jiebaSegmenter } from '../search/jieba.js';
import { Tokenizer } from '../search/tokenizer.js';
import { wasmJiebaSegmenter } from './jieba-wasm.js';

const require = createRequire(import.meta.url);
const wasm = readFileSync(join(dirname(require.resolve('jieba-wasm/web')), 'jieba_rs_wasm_bg.wasm'));

describe('jieba-wasm at the edge segments exactly as @node-rs/jieba on the origin', () => {
  it('gives the same terms (and part weights) for every chunk of the knowledge base and every eval message', () => {
    const dict = loadDictionary(['knowledge']);
    const node = new Tokenizer(jiebaSegmenter(dict), dict);
    const edge = new Tokenizer(wasmJiebaSegmenter(wasm, dict), dict);
    const texts = [
      ...buildChunks(loadKnowledgeBase(['knowledge'])).flatMap((c) => [c.name, c.heading, c.body]),
      ...readJsonl<Question>('test/eval/questions.jsonl').flatMap((q) => [q.q, ...(q.then ?? []).map((f) => f.q)]),
      ...readJsonl<IntentRow>('test/eval/intents.jsonl').map((r) => r.text),
    ];
    expect(texts.length).toBeGreaterThan(2500);
    const differ = texts.filter((t) => JSON.stringify([...node.weightedTerms(t)]) !== JSON.stringify([...edge.weightedTerms(t)]) || node.tokenize(t).join('|') !== edge.tokenize(t).join('|'));
    expect(differ).toEqual([]);
    // The domain words stay whole in both.
    expect(wasmJiebaSegmenter(wasm, dict).segment('我想办理不动产登记和住房公积金提取')).toEqual(expect.arrayContaining(['不动产登记', '住房公积金']));
  });
});
