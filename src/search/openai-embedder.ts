import { normalize, type Embedder } from './embedder.js';

export interface OpenAIEmbedderOptions {
  /** Base URL of an OpenAI-compatible server, e.g. http://10.0.0.5:9997/v1 ("/embeddings" is appended). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  batchSize?: number;
  timeoutMs?: number;
  retries?: number;
  /** Known dimension; found from the first response otherwise. */
  dim?: number;
  fetch?: typeof fetch;
}

export class EmbeddingsError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EmbeddingsError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint — how governments serve bge-m3 and
 * similar models on their own servers (Xinference, Ollama, vLLM, TEI). Sends batches, gives each
 * request a timeout, and retries network errors, 429 and 5xx with exponential backoff.
 */
export class OpenAIEmbedder implements Embedder {
  private _dim: number | undefined;
  private readonly url: string;

  constructor(private readonly opts: OpenAIEmbedderOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this._dim = opts.dim;
  }

  get id(): string {
    return `openai:${this.opts.model}@${this.opts.baseUrl}`;
  }

  get dim(): number {
    if (this._dim === undefined) throw new Error('embedding dimension unknown until the first response');
    return this._dim;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const size = this.opts.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += size) out.push(...(await this.batch(texts.slice(i, i + size))));
    return out;
  }

  private async batch(input: string[]): Promise<Float32Array[]> {
    const retries = this.opts.retries ?? 2;
    let last: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt) await sleep(Math.min(4000, 250 * 2 ** (attempt - 1)));
      try {
        return await this.request(input);
      } catch (e) {
        last = e;
        const retryable = !(e instanceof EmbeddingsError) || e.status === undefined || e.status === 429 || e.status >= 500;
        if (!retryable) throw e;
      }
    }
    throw last instanceof Error ? last : new EmbeddingsError(String(last));
  }

  private async request(input: string[]): Promise<Float32Array[]> {
    const res = await (this.opts.fetch ?? fetch)(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}) },
      body: JSON.stringify({ model: this.opts.model, input }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
    }).catch((e: unknown) => {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new EmbeddingsError(timedOut ? `embeddings request timed out after ${this.opts.timeoutMs ?? 15_000} ms` : `embeddings request failed: ${(e as Error).message}`);
    });
    if (!res.ok) throw new EmbeddingsError(`embeddings endpoint answered ${res.status}: ${(await res.text()).slice(0, 200)}`, res.status);
    const body = (await res.json()) as { data?: { index?: number; embedding?: number[] }[] };
    const data = body.data;
    if (!Array.isArray(data) || data.length !== input.length) throw new EmbeddingsError(`embeddings endpoint returned ${data?.length ?? 'no'} vectors for ${input.length} inputs`, 502);
    const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((d) => {
      if (!Array.isArray(d.embedding) || !d.embedding.length) throw new EmbeddingsError('embeddings endpoint returned an empty vector', 502);
      if (this._dim === undefined) this._dim = d.embedding.length;
      if (d.embedding.length !== this._dim) throw new EmbeddingsError(`vector of ${d.embedding.length} dimensions, expected ${this._dim}`, 502);
      return normalize(Float32Array.from(d.embedding));
    });
  }
}
