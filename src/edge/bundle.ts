import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DomainDictionary } from '../search/dictionary.js';
import type { SearchIndex } from '../search/hybrid.js';
import type { IndexManifest } from '../search/persist.js';
import { VectorIndex } from '../search/vector-index.js';
import { SparseVectorIndex } from '../search/sparse-vectors.js';
import { EDGE_BUNDLE_FORMAT, chunksHash, type EdgeManifest } from './load.js';
import { chooseEncoding, encodeVectors, type VectorEncoding } from './vectors.js';

export const EDGE_BUNDLE_FILES = ['manifest.json', 'kb.json', 'bm25.json', 'weights.json', 'dict.json', 'vectors.bin'] as const;

export const gzipSize = (b: Uint8Array | string) => gzipSync(typeof b === 'string' ? Buffer.from(b) : b, { level: 9 }).length;

/**
 * Writes the edge bundle (data/edge/) from a built index: the knowledge snapshot, the BM25 postings,
 * the term weights, the domain dictionary and the prebuilt vectors taken out of the vector index. The
 * worker build imports these files; nothing is read at run time.
 */
export function writeEdgeBundle(
  index: SearchIndex,
  built: IndexManifest,
  dict: DomainDictionary,
  dir: string,
  opts: { vectors?: VectorEncoding | 'auto' } = {},
): EdgeManifest {
  if (!(index.vectors instanceof VectorIndex || index.vectors instanceof SparseVectorIndex)) throw new Error('the edge bundle is made from a built index');
  const source = index.vectors;
  const vectors = Array.from({ length: source.size }, (_, i) => source.vector(i));
  const encoding = !opts.vectors || opts.vectors === 'auto' ? chooseEncoding(vectors, source.dim) : opts.vectors;
  const guides = index.kb.guides.map(({ lines: _lines, ...g }) => g);
  const files: Record<string, string | Uint8Array> = {
    'kb.json': JSON.stringify({ guides, faqs: index.kb.faqs }),
    'bm25.json': JSON.stringify(index.bm25.toJSON()),
    'weights.json': JSON.stringify(Object.fromEntries(index.weights)),
    'dict.json': JSON.stringify(dict),
    'vectors.bin': encodeVectors(vectors, source.dim, encoding),
  };
  const manifest: EdgeManifest = {
    format: EDGE_BUNDLE_FORMAT,
    index: built,
    vectors: { encoding, count: vectors.length, dim: source.dim },
    chunks: { count: index.chunks.length, hash: chunksHash(index.chunks) },
    builtAt: new Date().toISOString(),
    files: Object.fromEntries(Object.entries(files).map(([name, body]) => [name, { bytes: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength, gzip: gzipSize(body) }])),
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(tmp, name), body);
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return manifest;
}

export function readEdgeManifest(dir: string): EdgeManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as EdgeManifest;
}
