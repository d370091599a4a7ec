import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HandoffSchema } from '../channels/web/chat.js';
import { acceptableSessionId } from '../dialogue/session.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import type { Conversation } from '../records/schema.js';
import type { ConversationRecords } from '../records/store.js';
import { topics, type EventBus } from './events.js';
import type { HandoffService } from './service.js';
import { eventStream, type SSEMessage } from './sse.js';
import { citizenMessage, type CitizenEvent } from './views.js';

const MessageSchema = z
  .object({
    id: z.string(),
    role: z.enum(['citizen', 'bot', 'staff', 'system']),
    type: z.string().nullable(),
    text: z.string(),
    author: z.string().nullable().openapi({ description: "staff messages: the member of staff's name" }),
    createdAt: z.number(),
    citations: z.array(z.unknown()).optional(),
    suggestions: z.array(z.string()).optional(),
    ratingRequested: z.boolean().optional(),
    handoff: HandoffSchema.nullable().optional(),
  })
  .openapi('CitizenMessage');

const sessionParam = z.object({
  id: z.string().max(128).openapi({ description: 'The session id itself (the citizen’s bearer secret, as returned by POST /api/chat)' }),
});
const sessionHeader = z.object({ 'x-session-id': z.string().max(128).optional() });
const errors = {
  400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Bad query' },
  403: { content: { 'application/json': { schema: ErrorSchema } }, description: 'X-Session-Id given and different from the path' },
  404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such session' },
};

const routes = {
  messages: createRoute({
    method: 'get',
    path: '/api/sessions/{id}/messages',
    tags: ['chat'],
    summary: "The conversation's messages after one (staff replies included), oldest first",
    request: {
      params: sessionParam,
      headers: sessionHeader,
      query: z.object({ after: z.string().max(100).optional().openapi({ description: 'a message id; only later messages' }), limit: z.coerce.number().int().min(1).max(500).default(200) }),
    },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ items: z.array(MessageSchema), handoff: HandoffSchema.nullable() }) } }, description: 'Messages' },
      ...errors,
    },
  }),
  events: createRoute({
    method: 'get',
    path: '/api/sessions/{id}/events',
    tags: ['chat'],
    summary: 'Server-sent events: staff and system messages as they come, handoff status and place in the queue',
    request: { params: sessionParam, headers: sessionHeader, query: z.object({ after: z.string().max(100).optional() }) },
    responses: {
      200: {
        content: {
          'text/event-stream': {
            schema: z.string().openapi({ description: 'events: ready, message (id = message id; Last-Event-ID resumes), handoff {status, department, position, etaSeconds}' }),
          },
        },
        description: 'Event stream',
      },
      ...errors,
    },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/api/sessions/{id}/handoff/cancel',
    tags: ['chat'],
    summary: 'Stop waiting for a member of staff (the widget’s 取消排队 button)',
    request: { params: sessionParam, headers: sessionHeader },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ text: z.string(), handoff: HandoffSchema.nullable() }) } }, description: 'Cancelled' },
      ...errors,
      409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not waiting' },
    },
  }),
};

export interface SessionRoutesOptions {
  records: () => ConversationRecords;
  handoff: () => HandoffService;
  events: () => EventBus;
  closing: AbortSignal;
  heartbeatMs?: number;
}

/**
 * The citizen's side of a conversation outside POST /api/chat. The session id is the bearer
 * secret and is the path's `:id` itself (EventSource cannot send headers); if X-Session-Id is
 * sent as well it must be the same. Without the id of a session nobody can read it.
 */
export function sessionRoutes(o: SessionRoutesOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  const conversationOf = async (c: Context, id: string, header?: string): Promise<Conversation> => {
    if (header !== undefined && header !== id) throw new AppError(403, 'session_mismatch', 'X-Session-Id 与地址中的会话不一致');
    const conv = acceptableSessionId(id) ? await o.records().conversationBySession(id) : undefined;
    if (!conv) throw notFound('没有这个会话，或会话已过期');
    return conv;
  };

  const checkAfter = async (conv: Conversation, after: string | undefined) => {
    if (!after) return;
    const found = await o.records().db.selectFrom('messages').select('id').where('id', '=', after).where('conversation_id', '=', conv.id).executeTakeFirst();
    if (!found) throw badRequest('after 不是这个会话中的消息编号');
  };

  app.openapi(routes.messages, async (c) => {
    const { id } = c.req.valid('param');
    const conv = await conversationOf(c, id, c.req.valid('header')['x-session-id']);
    const { after, limit } = c.req.valid('query');
    await checkAfter(conv, after);
    const [messages, handoff] = await Promise.all([o.records().listMessages(conv.id, { after, limit }), o.handoff().status(conv)]);
    return c.json({ items: messages.map(citizenMessage), handoff } as never, 200);
  });

  app.openapi(routes.events, async (c) => {
    const { id } = c.req.valid('param');
    const conv = await conversationOf(c, id, c.req.valid('header')['x-session-id']);
    const after = c.req.valid('query').after ?? c.req.header('last-event-id') ?? undefined;
    await checkAfter(conv, after);
    const toSSE = (e: CitizenEvent): SSEMessage =>
      e.type === 'message' ? { event: 'message', data: JSON.stringify(e.message), id: e.message.id } : { event: 'handoff', data: JSON.stringify(e.handoff) };
    return eventStream(c, {
      ready: { conversation: 'ok' },
      heartbeatMs: o.heartbeatMs ?? 15_000,
      closing: o.closing,
      subscribe: (push) => o.events().subscribe(topics.conversation(conv.id), (e) => push(toSSE(e as CitizenEvent))),
      backlog: async () => {
        // What staff and the system said since the client's last event, then where the handoff stands.
        const missed = after ? (await o.records().listMessages(conv.id, { after })).filter((m) => m.role === 'staff' || m.role === 'system') : [];
        const fresh = (await o.records().getConversation(conv.id)) ?? conv;
        const status = await o.handoff().status(fresh);
        return [...missed.map((m) => toSSE({ type: 'message', message: citizenMessage(m) })), toSSE({ type: 'handoff', handoff: status })];
      },
    }) as never;
  });

  app.openapi(routes.cancel, async (c) => {
    const { id } = c.req.valid('param');
    const conv = await conversationOf(c, id, c.req.valid('header')['x-session-id']);
    const r = await o.handoff().cancelBySession(conv);
    return c.json(r as never, 200);
  });
  return app;
}
