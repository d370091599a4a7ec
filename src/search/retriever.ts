import { Document } from '@langchain/core/documents';
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import type { AspectKey } from '../kb/aspects.js';
import type { SearchIndex } from './hybrid.js';

export interface GuideChunkMetadata {
  chunkId: string;
  guideId: string;
  title: string;
  aspect: AspectKey | null;
  department: string;
  score: number;
  bm25: number;
  similarity: number;
}

export interface GovRetrieverInput extends BaseRetrieverInput {
  /** The current index (a function, so a rebuilt index is picked up). */
  index: () => SearchIndex;
  k?: number;
}

/** The hybrid retriever as a LangChain retriever: chunks as Documents with their metadata. */
export class GovChatRetriever extends BaseRetriever<GuideChunkMetadata> {
  lc_namespace = ['govchat', 'retrievers'];
  private readonly index: () => SearchIndex;
  private readonly k: number;

  static override lc_name() {
    return 'GovChatRetriever';
  }

  constructor(fields: GovRetrieverInput) {
    super(fields);
    this.index = fields.index;
    this.k = fields.k ?? 5;
  }

  override async _getRelevantDocuments(query: string): Promise<Document<GuideChunkMetadata>[]> {
    const r = await this.index().search(query, { limit: this.k });
    return r.chunks.slice(0, this.k).map(
      (h) =>
        new Document<GuideChunkMetadata>({
          pageContent: `${h.chunk.title} · ${h.chunk.heading}\n${h.chunk.body}`,
          metadata: {
            chunkId: h.chunk.id,
            guideId: h.chunk.guideId,
            title: h.chunk.title,
            aspect: h.chunk.aspect,
            department: h.chunk.department,
            score: h.score,
            bm25: h.bm25,
            similarity: h.similarity,
          },
        }),
    );
  }
}
