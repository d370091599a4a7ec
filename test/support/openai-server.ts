/**
 * A real HTTP server (node:http) speaking the OpenAI chat-completions API, scripted per test:
 * it stands in for the deployment's language model (vLLM, Xinference …). Replies stream as SSE
 * `data: {...}` chunks with `choices[0].delta.content` and `data: [DONE]` when asked to stream.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  stream?: boolean;
  messages: { role: string; content: string }[];
  [k: string]: unknown;
}

export type LlmTask = 'answer' | 'rewrite' | 'intent';

export type Script =
  /** Answers with this text (in pieces of `piece` characters when streaming). */
  | { text: string; piece?: number; delayMs?: number }
  /** Answers with an HTTP error. */
  | { status: number; message?: string }
  /** Never answers (or, with `after`, streams these pieces first and then stalls). */
  | { hang: true; after?: string[] };

/** Which of govchat's prompts a request carries. */
export function taskOf(req: ChatRequest): LlmTask {
  if (req.messages[0]?.role === 'system') return 'answer';
  const text = req.messages.map((m) => m.content).join('\n');
  return /改写/.test(text) ? 'rewrite' : 'intent';
}

export class FakeOpenAI {
  readonly requests: (ChatRequest & { task: LlmTask })[] = [];
  private handler: (req: ChatRequest & { task: LlmTask }) => Script = () => ({ status: 500, message: 'no script' });
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeOpenAI> {
    let self: FakeOpenAI | undefined;
    const server = createServer((req, res) => void self!.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeOpenAI(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    return self;
  }

  /** Sets how the next requests are answered. */
  script(handler: (req: ChatRequest & { task: LlmTask }) => Script): void {
    this.handler = handler;
  }

  /** Requests of one task received so far. */
  of(task: LlmTask) {
    return this.requests.filter((r) => r.task === task);
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += c;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(raw) as ChatRequest;
    const request = { ...body, task: taskOf(body) };
    this.requests.push(request);
    const s = this.handler(request);
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    if ('status' in s) {
      res.writeHead(s.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: s.message ?? 'error', type: 'server_error' } }));
      return;
    }
    const chunk = (content: string, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
    if ('hang' in s) {
      if (body.stream && s.after?.length) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const p of s.after) res.write(chunk(p));
      }
      return; // never ends: the client's deadline must
    }
    if (!body.stream) {
      if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: s.text }, finish_reason: 'stop' }],
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chars = [...s.text];
    const n = s.piece ?? 4;
    for (let i = 0; i < chars.length; i += n) {
      res.write(chunk(chars.slice(i, i + n).join('')));
      if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
    }
    res.write(chunk('', 'stop'));
    res.end('data: [DONE]\n\n');
  }
}
