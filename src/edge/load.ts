import { assembleKnowledgeBase } from '../kb/load.js';
import type { FaqFile, Guide } from '../kb/schema.js';
import { Bm25Index, type Bm25Data } from '../search/bm25.js';
import { buildChunks, type Chunk } from '../search/chunks.js';
import type { DomainDictionary } from '../search/dictionary.js';
import { HashingEmbedder, type Embedder } from '../search/embedder.js';
import { SearchIndex } from '../search/hybrid.js';
import type { IndexManifest } from '../search/persist.js';
import { Tokenizer, type Segmenter } from '../search/tokenizer.js';
import { FlatVectorIndex, type VectorEncoding } from './vectors.js';

export const EDGE_BUNDLE_FORMAT = 1;

/** data/edge/manifest.json: what was built, from what, and how big each file is. */
export interface EdgeManifest {
  format: number;
  /** The Node index the bundle was made from (knowledge hash, embedder, tokenizer options, counts). */
  index: IndexManifest;
  vectors: { encoding: VectorEncoding; count: number; dim: number };
  /** Chunks are rebuilt at the edge from the knowledge snapshot; this checks they come out the same. */
  chunks: { count: number; hash: string };
  builtAt: string;
  files: Record<string, { bytes: number; gzip: number }>;
}

/** The bundle's files as the worker imports them: JSON as text, the vectors as bytes. */
export interface EdgeBundleData {
  manifest: string;
  kb: string;
  bm25: string;
  weights: string;
  dict: string;
  vectors: ArrayBuffer | Uint8Array;
}

/** FNV-1a over the chunk ids and text lengths: cheap, and enough to catch a chunker that changed. */
export function chunksHash(chunks: Chunk[]): string {
  let h = 0x811c9dc5;
  for (const c of chunks) {
    const s = `${c.id}:${c.name.length}:${c.heading.length}:${c.body.length}|`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The search index from the edge bundle, with no file system: the same SearchIndex, BM25 data and
 * term weights as the origin's, the chunks rebuilt from the knowledge snapshot, the prebuilt
 * vectors searched exactly, and the tokenizer over the segmenter the runtime has (jieba-wasm in workerd).
 */
export function loadEdgeIndex(
  data: EdgeBundleData,
  segmenter: (dict: DomainDictionary) => Segmenter,
  opts: { embedder?: (tokenizer: Tokenizer) => Embedder } = {},
): { index: SearchIndex; manifest: EdgeManifest } {
  const manifest = JSON.parse(data.manifest) as EdgeManifest;
  if (manifest.format !== EDGE_BUNDLE_FORMAT) throw new Error(`edge bundle format ${manifest.format}, expected ${EDGE_BUNDLE_FORMAT}: run npm run edge:build`);
  const dict = JSON.parse(data.dict) as DomainDictionary;
  const tokenizer = new Tokenizer(segmenter(dict), dict, manifest.index.tokenizer);
  const snap = JSON.parse(data.kb) as { guides: Guide[]; faqs: FaqFile[] };
  const kb = assembleKnowledgeBase(snap.guides, snap.faqs, [], manifest.index.kbHash, []);
  const chunks = buildChunks(kb);
  if (chunks.length !== manifest.chunks.count || chunksHash(chunks) !== manifest.chunks.hash) {
    throw new Error('the chunks rebuilt at the edge differ from the bundle (the worker and the bundle were built from different code): run npm run edge:build');
  }
  const bm25 = Bm25Index.fromJSON(JSON.parse(data.bm25) as Bm25Data);
  const vectors = FlatVectorIndex.decode(data.vectors);
  if (vectors.size !== chunks.length) throw new Error(`the bundle has ${vectors.size} vectors for ${chunks.length} chunks`);
  const weights = new Map(Object.entries(JSON.parse(data.weights) as Record<string, number>));
  const embedder = opts.embedder?.(tokenizer) ?? new HashingEmbedder(tokenizer, manifest.index.dim);
  if (embedder.id !== manifest.index.embedder) {
    throw new Error(`the bundle was built with embedder ${manifest.index.embedder}; the edge has ${embedder.id}`);
  }
  return { index: new SearchIndex(kb, chunks, bm25, vectors, tokenizer, embedder, weights), manifest };
}
