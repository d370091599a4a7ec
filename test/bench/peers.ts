/**
 * The peer retrievers of the retrieval benchmark, each indexing the same chunks as the project
 * (src/search/chunks.ts buildChunks: a guide's overview, each section, each FAQ pair, with the
 * guide's title and aliases as the "name" field) and ranking guides by their best chunk:
 *
 *  - Orama full text with its Mandarin tokenizer (@orama/tokenizers/mandarin: Intl.Segmenter,
 *    built into Node's ICU, nothing downloaded), fields name/heading/body boosted 3/2/1 like the
 *    project's BM25F, otherwise Orama's defaults (threshold 1: any term may match; no typo tolerance);
 *  - MiniSearch with the project's own tokenizer (jieba with the domain dictionary, synonyms
 *    folded, stop words dropped: src/search/library.ts createTokenizer), same fields and boosts;
 *  - LangChain's in-memory vector store with the project's embedded HashingEmbedder through a
 *    LangChain Embeddings adapter, over the same text the project embeds (embeddingText).
 *    LangChain 1.x moved MemoryVectorStore out of @langchain/core into `langchain`/`@langchain/classic`,
 *    which are not installed here; ExactMemoryVectorStore below is the same store (an array of
 *    vectors, exact cosine against every one, sorted, top k) on @langchain/core's VectorStore base.
 */
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { VectorStore } from '@langchain/core/vectorstores';
import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import { createTokenizer as mandarinTokenizer } from '@orama/tokenizers/mandarin';
import MiniSearch from 'minisearch';
import type { Chunk } from '../../src/search/chunks.js';
import type { HashingEmbedder } from '../../src/search/embedder.js';
import { embeddingText } from '../../src/search/persist.js';
import type { Tokenizer } from '../../src/search/tokenizer.js';

/** How many chunks each peer returns per query (the project's fusion depth), and guides ranked. */
export const CHUNK_DEPTH = 60;
export const GUIDE_DEPTH = 10;

export interface Retriever {
  name: string;
  /** How it indexes and ranks, for the report. */
  how: string;
  build(chunks: Chunk[]): Promise<void>;
  /** Guide ids, best first (at most GUIDE_DEPTH). */
  rank(question: string): Promise<string[]>;
}

/** Guides ranked by their best chunk (chunks arrive best first). */
export function guidesByBestChunk(guideIds: Iterable<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const g of guideIds) {
    if (seen.has(g)) continue;
    seen.add(g);
    out.push(g);
    if (out.length >= GUIDE_DEPTH) break;
  }
  return out;
}

const BOOST = { name: 3, heading: 2, body: 1 };

export function oramaPeer(): Retriever {
  let db: AnyOrama | null = null;
  return {
    name: 'Orama 3.1 (Mandarin tokenizer)',
    how: 'chunks; full text on name/heading/body boosted 3/2/1; Intl.Segmenter words',
    async build(chunks) {
      db = create({
        schema: { guideId: 'string', name: 'string', heading: 'string', body: 'string' } as const,
        components: { tokenizer: mandarinTokenizer() },
      }) as AnyOrama;
      // guideId is stored, not searched: only the three text fields are given to search below.
      await insertMultiple(
        db,
        chunks.map((c) => ({ guideId: c.guideId, name: c.name, heading: c.heading, body: c.body })),
        1000,
      );
    },
    async rank(q) {
      const r = await search(db!, { term: q, properties: ['name', 'heading', 'body'], boost: BOOST, limit: CHUNK_DEPTH });
      return guidesByBestChunk(r.hits.map((h) => String(h.document.guideId)));
    },
  };
}

export function miniSearchPeer(tokenizer: Tokenizer): Retriever {
  let ms: MiniSearch<{ id: number; guideId: string; name: string; heading: string; body: string }> | null = null;
  return {
    name: 'MiniSearch 7.2 (project jieba tokenizer)',
    how: 'chunks; BM25 on name/heading/body boosted 3/2/1; the project tokenizer',
    async build(chunks) {
      ms = new MiniSearch({
        fields: ['name', 'heading', 'body'],
        storeFields: ['guideId'],
        tokenize: (text) => tokenizer.tokenize(text),
        // The tokenizer already normalises (NFKC, lower case, synonyms): keep its terms as they are.
        processTerm: (t) => t,
        searchOptions: { boost: { name: BOOST.name, heading: BOOST.heading } },
      });
      ms.addAll(chunks.map((c, id) => ({ id, guideId: c.guideId, name: c.name, heading: c.heading, body: c.body })));
    },
    async rank(q) {
      return guidesByBestChunk(
        ms!
          .search(q)
          .slice(0, CHUNK_DEPTH)
          .map((r) => r.guideId as string),
      );
    },
  };
}

/** The project's embedded embedder as a LangChain Embeddings. */
export class HashingEmbeddings extends Embeddings {
  constructor(private readonly embedder: HashingEmbedder) {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.embedder.embed(texts)).map((v) => Array.from(v));
  }

  async embedQuery(text: string): Promise<number[]> {
    return Array.from(this.embedder.embedOne(text));
  }
}

interface MemoryVector {
  content: string;
  embedding: number[];
  metadata: Record<string, unknown>;
}

/** LangChain's MemoryVectorStore: exact cosine similarity against every stored vector. */
export class ExactMemoryVectorStore extends VectorStore {
  declare FilterType: (doc: DocumentInterface) => boolean;
  memoryVectors: MemoryVector[] = [];

  _vectorstoreType(): string {
    return 'memory';
  }

  async addDocuments(documents: DocumentInterface[]): Promise<void> {
    await this.addVectors(await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)), documents);
  }

  async addVectors(vectors: number[][], documents: DocumentInterface[]): Promise<void> {
    for (let i = 0; i < vectors.length; i++) this.memoryVectors.push({ content: documents[i].pageContent, embedding: vectors[i], metadata: documents[i].metadata });
  }

  async similaritySearchVectorWithScore(query: number[], k: number, filter?: this['FilterType']): Promise<[DocumentInterface, number][]> {
    // As MemoryVectorStore: a Document is made only to run a filter, then every vector is scored.
    const kept = filter ? this.memoryVectors.filter((v) => filter(new Document({ pageContent: v.content, metadata: v.metadata }))) : this.memoryVectors;
    const scored = kept.map((v) => ({ similarity: cosine(query, v.embedding), v }));
    scored.sort((a, b) => b.similarity - a.similarity);
    return scored.slice(0, k).map(({ similarity, v }) => [new Document({ pageContent: v.content, metadata: v.metadata }), similarity]);
  }
}

/** The cosine of LangChain's ml-distance similarities (what MemoryVectorStore uses by default). */
function cosine(a: number[], b: number[]): number {
  let p = 0;
  let p2 = 0;
  let q2 = 0;
  for (let i = 0; i < a.length; i++) {
    p += a[i] * b[i];
    p2 += a[i] * a[i];
    q2 += b[i] * b[i];
  }
  return p / (Math.sqrt(p2) * Math.sqrt(q2));
}

export function langchainPeer(embedder: HashingEmbedder): Retriever {
  let store: ExactMemoryVectorStore | null = null;
  return {
    name: 'LangChain memory vector store (HashingEmbedder)',
    how: 'chunks; exact cosine over the project’s embedded vectors of name + heading + body',
    async build(chunks) {
      store = new ExactMemoryVectorStore(new HashingEmbeddings(embedder), {});
      await store.addDocuments(chunks.map((c) => new Document({ pageContent: embeddingText(c), metadata: { guideId: c.guideId } })));
    },
    async rank(q) {
      const hits = await store!.similaritySearchWithScore(q, CHUNK_DEPTH);
      return guidesByBestChunk(hits.map(([d]) => d.metadata.guideId as string));
    },
  };
}
