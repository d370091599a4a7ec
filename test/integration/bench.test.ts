/**
 * The benchmark suite's own parts that could be wrong without anyone noticing: the LangChain
 * memory store is exact, guides are ranked by their best chunk, the synthetic knowledge base is
 * valid knowledge of the size asked, and the ratio table compares with the right peer.
 * (Nothing is timed here; the benchmarks themselves are `npm run bench`.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document } from '@langchain/core/documents';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/kb/load.js';
import { buildChunks } from '../../src/search/chunks.js';
import { HashingEmbedder } from '../../src/search/embedder.js';
import { createTokenizer } from '../../src/search/library.js';
import { embeddingText } from '../../src/search/persist.js';
import { ExactMemoryVectorStore, GUIDE_DEPTH, guidesByBestChunk, HashingEmbeddings, miniSearchPeer, oramaPeer } from '../bench/peers.js';
import { retrievalMarkdown, type RetrievalRow } from '../bench/retrieval.js';
import { copyOf, syntheticRoot } from '../bench/scale.js';
import { serverNodeFlags } from '../bench/server.js';

const tmp = mkdtempSync(join(tmpdir(), 'govchat-bench-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('peers', () => {
  const kb = loadKnowledgeBase(['knowledge']);
  const chunks = buildChunks(kb);
  const tokenizer = createTokenizer(['knowledge']);

  it('the memory vector store ranks by exact cosine over every stored vector', async () => {
    const embedder = new HashingEmbedder(tokenizer);
    const store = new ExactMemoryVectorStore(new HashingEmbeddings(embedder), {});
    const some = chunks.slice(0, 120);
    await store.addDocuments(some.map((c) => new Document({ pageContent: embeddingText(c), metadata: { id: c.id } })));
    const q = '身份证丢了补办要带什么';
    const qv = embedder.embedOne(q);
    const brute = some
      .map((c) => {
        const v = embedder.embedOne(embeddingText(c));
        return { id: c.id, s: v.reduce((s, x, i) => s + x * qv[i], 0) };
      })
      .sort((a, b) => b.s - a.s)
      .slice(0, 5);
    const got = await store.similaritySearchWithScore(q, 5);
    expect(got.map(([d]) => d.metadata.id)).toEqual(brute.map((b) => b.id));
    got.forEach(([, s], i) => expect(s).toBeCloseTo(brute[i].s, 5));
    const filtered = await store.similaritySearchVectorWithScore(Array.from(qv), 3, (d) => d.metadata.id !== brute[0].id);
    expect(filtered[0][0].metadata.id).toBe(brute[1].id);
  });

  it('guides are ranked by their best chunk, each once, at most ten', () => {
    expect(guidesByBestChunk(['a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b', 'c']);
    expect(guidesByBestChunk(Array.from({ length: 30 }, (_, i) => `g${i}`))).toHaveLength(GUIDE_DEPTH);
  });

  it('Orama with its Mandarin tokenizer and MiniSearch with the project tokenizer find the guide a plain question names', async () => {
    for (const peer of [oramaPeer(), miniSearchPeer(tokenizer)]) {
      await peer.build(chunks);
      expect((await peer.rank('结婚登记需要什么材料')).slice(0, 3), peer.name).toContain('marriage-registration');
    }
  });
});

describe('synthetic knowledge base', () => {
  it('copies rewrite the id, the title, the aliases and the region of the front matter only', () => {
    const text = '---\nid: "1144"\ntitle: 居民身份证换领\naliases:\n  - 换身份证\n  - 身份证到期\nregion: 某市\nupdated: 2021-05-26\n---\n\n## 申请材料\ntitle: 不是前言\n  - 换身份证\n';
    expect(copyOf(text, 0)).toBe(text);
    const c = copyOf(text, 2);
    expect(c).toMatch(/^---\nid: 1144-c2\n/);
    expect(c).toContain('updated: 2021-05-26\n---\n\n## 申请材料');
    expect(c).toContain('title: 居民身份证换领（深圳市）\n');
    expect(c).toContain('region: 深圳市\n');
    expect(c).toContain('aliases:\n  - 换身份证（深圳市）\n  - 身份证到期（深圳市）\n');
    expect(c).toContain('## 申请材料\ntitle: 不是前言\n  - 换身份证\n');
  });

  it('grows to about the chunks asked, with valid guides and unique ids', () => {
    const base = buildChunks(loadKnowledgeBase(['knowledge'])).length;
    const root = syntheticRoot(base + 1000, join(tmp, 'synthetic'), 'knowledge');
    // Copies of knowledge/'s own guides, loaded beside them as the benchmark loads them.
    const kb = loadKnowledgeBase(['knowledge', root]);
    expect(kb.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const n = buildChunks(kb).length;
    expect(n).toBeGreaterThanOrEqual(base + 1000);
    expect(n).toBeLessThan(base + 1000 + 60);
    expect(new Set(kb.guides.map((g) => g.id)).size).toBe(kb.guides.length);
    const copy = kb.guides.find((g) => g.id === 'marriage-registration-c1')!;
    expect(copy.title).toBe(`${kb.byId.get('marriage-registration')!.title}（广州市）`);
    expect(copy.region).toBe('广州市');
    expect(kb.guides.some((g) => g.id.endsWith('-c2'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, '.synthetic.json'), 'utf8')).target).toBe(base + 1000);
  });
});

describe('ratio table', () => {
  const row = (retriever: string, hit1: number, p99: number, project = false): RetrievalRow => ({ corpus: 'c', set: 's', questions: 10, timed: 10, retriever, project, hit1, hit3: hit1, mrr: hit1, p50: [p99 / 2], p99: [p99], buildS: 1 });

  it('compares with the fastest peer at least as accurate', () => {
    const md = retrievalMarkdown([row('me', 0.9, 4, true), row('slow-good', 0.95, 10), row('fast-good', 0.92, 5), row('fast-bad', 0.5, 1)], 1);
    const line = md.split('\n').at(-1)!;
    expect(line).toContain('| fast-good |');
    expect(line).toContain('| 0.98 |'); // hit@1 0.9 / 0.92
    expect(line).toContain('(fast-bad)');
    expect(line).toMatch(/\| no \| yes \|$/);
    const slower = retrievalMarkdown([row('me', 0.9, 6, true), row('fast-good', 0.92, 5)], 1).split('\n').at(-1)!;
    expect(slower).toMatch(/\| no \(p50 1\.20×, p99 1\.20×\) \|$/);
  });

  it('says when no peer is as accurate, and compares with the most accurate one', () => {
    const line = retrievalMarkdown([row('me', 0.9, 8, true), row('b', 0.8, 2), row('a', 0.85, 3)], 1).split('\n').at(-1)!;
    expect(line).toContain('| a (most accurate peer) |');
    expect(line).toMatch(/\| yes \| no peer as accurate; slower than the most accurate \|$/);
    const faster = retrievalMarkdown([row('me', 0.9, 2, true), row('b', 0.8, 1), row('a', 0.85, 3)], 1).split('\n').at(-1)!;
    expect(faster).toMatch(/\| yes \| no peer as accurate; faster than the most accurate \|$/);
  });
});

describe('bench servers', () => {
  it('run with the Node flags npm start deploys with', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
    const flags = serverNodeFlags();
    expect(flags).toContain('--max-semi-space-size=64');
    expect(start).toContain(`node ${flags.join(' ')} dist/main.js`);
  });
});
