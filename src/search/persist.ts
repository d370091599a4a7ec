import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assembleKnowledgeBase, type KnowledgeBase } from '../kb/load.js';
import type { FaqFile, Guide } from '../kb/schema.js';
import { Bm25Index, type Bm25Data } from './bm25.js';
import { buildChunks, type Chunk } from './chunks.js';
import type { Embedder } from './embedder.js';
import { SearchIndex } from './hybrid.js';
import type { Tokenizer } from './tokenizer.js';
import { SparseVectorIndex } from './sparse-vectors.js';
import { chooseEncoding } from './vector-file.js';
import { VectorIndex } from './vector-index.js';
import { loadGeneralWeights } from './weights.js';

export const INDEX_FORMAT = 4;

export interface IndexManifest {
  format: number;
  kbHash: string;
  embedder: string;
  dim: number;
  /** sparse: exact search (src/search/sparse-vectors.ts, vectors.bin); hnsw: hnswlib (vectors.hnsw). */
  vectors: 'sparse' | 'hnsw';
  tokenizer: { bigrams: boolean };
  chunks: number;
  guides: number;
  builtAt: string;
  buildMs: number;
}

export interface BuildProgress {
  stage: 'chunks' | 'bm25' | 'embed' | 'vectors';
  done: number;
  total: number;
}

/** Builds both indexes over a knowledge base. Embedding is the slow part; progress is reported. */
export async function buildSearchIndex(
  kb: KnowledgeBase,
  tokenizer: Tokenizer,
  embedder: Embedder,
  onProgress?: (p: BuildProgress) => void,
): Promise<{ index: SearchIndex; manifest: IndexManifest }> {
  const started = performance.now();
  const chunks = buildChunks(kb);
  onProgress?.({ stage: 'chunks', done: chunks.length, total: chunks.length });
  const bm25 = Bm25Index.build(chunks, tokenizer);
  onProgress?.({ stage: 'bm25', done: chunks.length, total: chunks.length });
  const texts = chunks.map(embeddingText);
  const vectors: Float32Array[] = [];
  const step = 256;
  for (let i = 0; i < texts.length; i += step) {
    vectors.push(...(await embedder.embed(texts.slice(i, i + step))));
    onProgress?.({ stage: 'embed', done: Math.min(texts.length, i + step), total: texts.length });
  }
  const dim = vectors[0]?.length ?? embedder.dim;
  // The hashing embedder's vectors are sparse: searched exactly. An embedding model's are dense: hnswlib.
  const kind = chooseEncoding(vectors, dim) === 'sparse' ? 'sparse' : 'hnsw';
  const vectorIndex = kind === 'sparse' ? SparseVectorIndex.build(vectors, dim) : VectorIndex.build(vectors, dim);
  onProgress?.({ stage: 'vectors', done: chunks.length, total: chunks.length });
  const manifest: IndexManifest = {
    format: INDEX_FORMAT,
    kbHash: kb.hash,
    embedder: embedder.id,
    dim,
    vectors: kind,
    tokenizer: { bigrams: !!tokenizer.options.bigrams },
    chunks: chunks.length,
    guides: kb.guides.length,
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
  };
  return { index: new SearchIndex(kb, chunks, bm25, vectorIndex, tokenizer, embedder, loadGeneralWeights()), manifest };
}

/** What a chunk looks like to the embedder: its service, its heading and its text. */
export function embeddingText(c: Chunk): string {
  return `${c.name}\n${c.heading}\n${c.body}`.slice(0, 1000);
}

/**
 * Writes the index to `dir` atomically (to a temporary folder, then renamed), with a snapshot of
 * the parsed knowledge base so that start-up need not parse thousands of Markdown files again.
 */
export function saveSearchIndex(index: SearchIndex, manifest: IndexManifest, dir: string): void {
  const vectors = index.vectors;
  if (!(vectors instanceof VectorIndex || vectors instanceof SparseVectorIndex)) throw new Error('only a built vector index can be persisted');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const guides = index.kb.guides.map(({ lines: _lines, ...g }) => g);
  writeFileSync(join(tmp, 'kb.json'), JSON.stringify({ guides, faqs: index.kb.faqs }));
  writeFileSync(join(tmp, 'chunks.json'), JSON.stringify(index.chunks));
  writeFileSync(join(tmp, 'bm25.json'), JSON.stringify(index.bm25.toJSON()));
  writeFileSync(join(tmp, 'weights.json'), JSON.stringify(Object.fromEntries(index.weights)));
  vectors.save(join(tmp, vectors instanceof SparseVectorIndex ? 'vectors.bin' : 'vectors.hnsw'));
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function readManifest(dir: string): IndexManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as IndexManifest;
  } catch {
    return null;
  }
}

/** Loads a persisted index if it was built from this exact knowledge, embedder and tokenizer. */
export function loadSearchIndex(
  dir: string,
  expect: { kbHash: string; roots: string[]; tokenizer: Tokenizer; embedder: Embedder },
): { index: SearchIndex; manifest: IndexManifest } | { index: null; reason: string } {
  const manifest = readManifest(dir);
  if (!manifest) return { index: null, reason: 'no built index' };
  if (manifest.format !== INDEX_FORMAT) return { index: null, reason: `index format ${manifest.format}, expected ${INDEX_FORMAT}` };
  if (manifest.kbHash !== expect.kbHash) return { index: null, reason: 'the knowledge base changed since the index was built' };
  if (manifest.embedder !== expect.embedder.id) return { index: null, reason: `index built with embedder ${manifest.embedder}` };
  if (manifest.tokenizer.bigrams !== !!expect.tokenizer.options.bigrams) return { index: null, reason: 'tokenizer options differ' };
  const snap = JSON.parse(readFileSync(join(dir, 'kb.json'), 'utf8')) as { guides: Guide[]; faqs: FaqFile[] };
  const kb = assembleKnowledgeBase(snap.guides, snap.faqs, [], manifest.kbHash, expect.roots);
  const chunks = JSON.parse(readFileSync(join(dir, 'chunks.json'), 'utf8')) as Chunk[];
  const bm25 = Bm25Index.fromJSON(JSON.parse(readFileSync(join(dir, 'bm25.json'), 'utf8')) as Bm25Data);
  const vectors = manifest.vectors === 'sparse' ? SparseVectorIndex.load(join(dir, 'vectors.bin')) : VectorIndex.load(join(dir, 'vectors.hnsw'), manifest.dim, manifest.chunks);
  const weights = new Map(Object.entries(JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as Record<string, number>));
  return { index: new SearchIndex(kb, chunks, bm25, vectors, expect.tokenizer, expect.embedder, weights), manifest };
}

/** Bytes on disk of a built index. */
export function indexSize(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}
