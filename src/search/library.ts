import { join } from 'node:path';
import { hashKnowledge, loadKnowledgeBase, type KnowledgeBase } from '../kb/load.js';
import type { Logger } from '../platform/logger.js';
import { loadDictionary } from './dictionary.js';
import { HashingEmbedder, type Embedder } from './embedder.js';
import type { SearchIndex } from './hybrid.js';
import { jiebaSegmenter } from './jieba.js';
import { OpenAIEmbedder } from './openai-embedder.js';
import { buildSearchIndex, loadSearchIndex, saveSearchIndex, type BuildProgress, type IndexManifest } from './persist.js';
import { Tokenizer, type TokenizerOptions } from './tokenizer.js';

export interface LibraryOptions {
  roots: string[];
  /** Where the built index is persisted; none: built in memory only. */
  indexDir?: string;
  tokenizer?: TokenizerOptions;
  embeddings?: { url?: string; model: string; apiKey?: string; batch: number; timeoutMs: number; retries: number };
  logger?: Logger;
}

export const DEFAULT_TOKENIZER: TokenizerOptions = { bigrams: false };

export function createTokenizer(roots: string[], options: TokenizerOptions = DEFAULT_TOKENIZER): Tokenizer {
  const dict = loadDictionary(roots);
  return new Tokenizer(jiebaSegmenter(dict), dict, options);
}

export function createEmbedder(tokenizer: Tokenizer, e: LibraryOptions['embeddings']): Embedder {
  if (e?.url) return new OpenAIEmbedder({ baseUrl: e.url, model: e.model, apiKey: e.apiKey, batchSize: e.batch, timeoutMs: e.timeoutMs, retries: e.retries });
  return new HashingEmbedder(tokenizer);
}

/**
 * The knowledge base and its search index, as one swappable unit. Questions are answered from
 * `current` while a rebuild runs; the new index replaces it only once it is complete.
 */
export class Library {
  private constructor(
    private _current: SearchIndex,
    private _manifest: IndexManifest,
    private opts: LibraryOptions,
    readonly loadedFrom: 'persisted' | 'built',
  ) {}

  get current(): SearchIndex {
    return this._current;
  }

  get kb(): KnowledgeBase {
    return this._current.kb;
  }

  get manifest(): IndexManifest {
    return this._manifest;
  }

  /** The knowledge roots the index is built from. */
  get roots(): readonly string[] {
    return this.opts.roots;
  }

  /** Loads the persisted index when it matches the knowledge (content hash), else builds and persists. */
  static async open(opts: LibraryOptions, onProgress?: (p: BuildProgress) => void): Promise<Library> {
    const tokenizer = createTokenizer(opts.roots, opts.tokenizer);
    const embedder = createEmbedder(tokenizer, opts.embeddings);
    if (opts.indexDir) {
      const loaded = loadSearchIndex(opts.indexDir, { kbHash: hashKnowledge(opts.roots), roots: opts.roots, tokenizer, embedder });
      if (loaded.index) return new Library(loaded.index, loaded.manifest, opts, 'persisted');
      opts.logger?.info({ reason: loaded.reason }, 'building the search index');
    }
    const { index, manifest } = await Library.build(opts, tokenizer, embedder, onProgress);
    return new Library(index, manifest, opts, 'built');
  }

  private static async build(opts: LibraryOptions, tokenizer: Tokenizer, embedder: Embedder, onProgress?: (p: BuildProgress) => void) {
    const kb = loadKnowledgeBase(opts.roots);
    const errors = kb.problems.filter((p) => p.severity === 'error');
    if (errors.length) opts.logger?.warn({ errors: errors.length, first: errors.slice(0, 3) }, 'knowledge base has problems; run npm run kb:check');
    const built = await buildSearchIndex(kb, tokenizer, embedder, onProgress);
    if (opts.indexDir) saveSearchIndex(built.index, built.manifest, opts.indexDir);
    opts.logger?.info({ guides: kb.guides.length, chunks: built.manifest.chunks, ms: built.manifest.buildMs }, 'search index built');
    return built;
  }

  /**
   * Re-reads the knowledge (the dictionary too), builds a new index and swaps it in when complete.
   * `roots`: read these from now on (an import folder made since start-up joins the knowledge).
   */
  async rebuild(onProgress?: (p: BuildProgress) => void, roots?: string[]): Promise<IndexManifest> {
    if (roots) this.opts = { ...this.opts, roots };
    const tokenizer = createTokenizer(this.opts.roots, this.opts.tokenizer);
    const embedder = createEmbedder(tokenizer, this.opts.embeddings);
    const { index, manifest } = await Library.build(this.opts, tokenizer, embedder, onProgress);
    this._current = index;
    this._manifest = manifest;
    return manifest;
  }
}

export function defaultIndexDir(dataDir: string): string {
  return join(dataDir, 'index');
}
