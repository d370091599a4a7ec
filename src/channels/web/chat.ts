import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { DialogueEngine, ReplyStream } from '../../dialogue/engine.js';
import type { Reply } from '../../dialogue/reply.js';
import { AppError } from '../../platform/errors.js';
import { validationHook, type AppEnv } from '../../platform/http.js';
import { ErrorSchema } from '../../platform/openapi.js';
import { limitBody } from '../../platform/body-limit.js';

const ChatRequest = z
  .object({
    sessionId: z.string().max(128).optional().openapi({ description: 'Session id from an earlier reply; omit to start a conversation' }),
    message: z.string().openapi({ example: '身份证丢了补办要多少钱' }),
    channel: z
      .string()
      .regex(/^[a-z0-9_-]{1,32}$/, 'channel must be a short lowercase name such as web')
      .optional()
      .openapi({ example: 'web' }),
  })
  .openapi('ChatRequest');

const CitationSchema = z.object({ guideId: z.string(), title: z.string(), section: z.string().nullable(), url: z.string() }).openapi('Citation');
const BlockSchema = z
  .union([
    z.object({ type: z.literal('heading'), text: z.string() }),
    z.object({ type: z.literal('paragraph'), text: z.string() }),
    z.object({ type: z.literal('list'), ordered: z.boolean(), items: z.array(z.string()) }),
  ])
  .openapi('Block');
export const FormSchema = z
  .object({
    formId: z.string(),
    draftId: z.string(),
    title: z.string(),
    fields: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        label: z.string(),
        value: z.string().nullable(),
        valid: z.boolean(),
        missing: z.boolean(),
        error: z.string().nullable(),
        options: z.array(z.string()).nullable(),
        required: z.boolean(),
        help: z.string().nullable(),
      }),
    ),
    complete: z.boolean(),
    confirmed: z.boolean(),
    status: z.enum(['open', 'complete', 'confirmed', 'cancelled']),
    url: z.string(),
  })
  .openapi('Form');
export const HandoffSchema = z
  .object({
    status: z.enum(['waiting', 'staff', 'closed']),
    department: z.string(),
    position: z.number().nullable(),
    etaSeconds: z.number().nullable(),
    leftMessage: z.boolean().optional(),
  })
  .openapi('Handoff');
export const ReplySchema = z
  .object({
    sessionId: z.string(),
    messageId: z.string(),
    type: z.enum(['answer', 'clarify', 'no_answer', 'refusal', 'smalltalk', 'form', 'handoff', 'staff']),
    text: z.string(),
    citations: z.array(CitationSchema),
    intent: z.object({ name: z.enum(['ask', 'apply', 'handoff', 'complaint', 'progress', 'smalltalk', 'out_of_scope']), confidence: z.number() }),
    suggestions: z.array(z.string()),
    form: FormSchema.nullable(),
    handoff: HandoffSchema.nullable(),
    blocks: z.array(BlockSchema),
    ratingRequested: z.boolean().optional(),
  })
  .openapi('Reply');

const chatRoute = createRoute({
  method: 'post',
  path: '/api/chat',
  tags: ['chat'],
  summary: 'Ask the assistant; with Accept: text/event-stream the reply streams as server-sent events',
  description: [
    'With `Accept: text/event-stream` the reply streams as server-sent events, in this order:',
    '',
    '- `meta` `{ sessionId, type, intent, messageId? }`: the reply has begun. `messageId` is absent while a language model is writing the reply (the message is stored once checked); `done` always has it.',
    '- `delta` `{ text, provisional }`, any number: pieces of the text, to append in order. `provisional: true` pieces come from the language model as it writes and are not checked yet: show them, but be ready to replace them.',
    '- `replace` `{ text, reason }`, at most once, only after provisional pieces: the checked reply is not what was streamed (the model\'s reply failed the grounding check, timed out or failed; `reason` is a short code). Discard every piece shown and show `text` instead.',
    '- `done` `{ …Reply }`: always last; the whole reply, the same object the JSON response carries. Its `text` is authoritative; without a `replace`, the provisional pieces shown were its beginning.',
    '- `error` `{ error: { code, message } }`: the reply could not be made; nothing else follows.',
    '',
    'Without a language model, or for a reply the model does not phrase, the text comes as non-provisional `delta` pieces after `meta`. The JSON response only ever carries checked text.',
  ].join('\n'),
  request: {
    headers: z.object({ 'x-session-id': z.string().max(128).optional() }),
    body: { content: { 'application/json': { schema: ChatRequest } }, required: true },
  },
  responses: {
    200: {
      content: {
        'application/json': { schema: ReplySchema },
        'text/event-stream': { schema: z.string().openapi({ description: 'events: meta, delta (text pieces, provisional while a language model writes), replace (provisional text withdrawn), done (the whole Reply), error' }) },
      },
      description: 'The reply',
    },
    400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Invalid JSON, shape or an empty message' },
    413: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Message or body over the limit' },
    429: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Too many requests' },
  },
});

/** Splits a reply's text into pieces for streaming: by line, long lines by sentence. */
export function streamPieces(text: string): string[] {
  return text.split(/(?<=\n)/).flatMap((line) => (line.length > 60 ? line.split(/(?<=[。；;，,])/) : [line]));
}

export interface ChatRoutesOptions {
  engine: () => DialogueEngine;
  maxMessageChars: number;
  maxBodyBytes: number;
  /** Per-session rate limit; throws AppError(429) when exceeded. */
  limitSession?: (sessionId: string) => Promise<void>;
}

/** POST /api/chat for the widget and API clients, JSON or streamed. */
export function chatRoutes(opts: ChatRoutesOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(
    '/api/chat',
    limitBody({ maxBytes: opts.maxBodyBytes }),
  );
  app.openapi(chatRoute, async (c) => {
    const body = c.req.valid('json');
    const message = body.message.trim();
    if (!message) throw new AppError(400, 'empty_message', '消息不能为空');
    if ([...message].length > opts.maxMessageChars) {
      throw new AppError(413, 'message_too_long', `消息太长了，请不要超过 ${opts.maxMessageChars} 个字`);
    }
    const sessionId = body.sessionId ?? c.req.valid('header')['x-session-id'] ?? null;
    if (sessionId && opts.limitSession) await opts.limitSession(sessionId);
    const channel = body.channel ?? 'web';
    // Debug only, and masked by the logger like every line: what the citizen wrote, to follow a turn.
    c.get('log')?.debug({ channel, message }, 'chat message');
    const accept = c.req.header('accept') ?? '';
    if (!accept.includes('text/event-stream')) {
      const reply = await opts.engine().handle({ sessionId, message, channel });
      return c.json(reply, 200);
    }
    // Streaming: a language model's tokens go out as they come, marked provisional; otherwise
    // the reply is computed, then sent as meta and text pieces. `done` always ends with the whole reply.
    return streamSSE(c, async (stream) => {
      const send = (event: string, data: unknown) => stream.writeSSE({ event, data: JSON.stringify(data) });
      let started = false;
      let streamed = '';
      let withdrawn: string | null = null;
      const listener: ReplyStream = {
        start: (meta) => {
          started = true;
          return send('meta', meta);
        },
        token: (text) => {
          streamed += text;
          return send('delta', { text, provisional: true });
        },
        withdraw: (reason) => {
          withdrawn = reason;
        },
      };
      let reply: Reply;
      try {
        reply = await opts.engine().handle({ sessionId, message, channel }, listener);
      } catch (e) {
        c.get('log').error({ err: e }, 'chat stream failed');
        await send('error', { error: { code: 'internal', message: '服务暂时出现问题，请稍后再试' } });
        return;
      }
      if (!started) {
        await send('meta', { sessionId: reply.sessionId, messageId: reply.messageId, type: reply.type, intent: reply.intent });
        for (const piece of streamPieces(reply.text)) await send('delta', { text: piece, provisional: false });
      } else if (withdrawn !== null || !reply.text.startsWith(streamed)) {
        await send('replace', { text: reply.text, reason: withdrawn ?? 'revised' });
      } else if (reply.text.length > streamed.length) {
        await send('delta', { text: reply.text.slice(streamed.length), provisional: false });
      }
      await send('done', reply);
    }) as unknown as Response as never;
  });
  return app;
}
