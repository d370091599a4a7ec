import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HandoffSchema } from '../channels/web/chat.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import { requireStaff } from '../staff/middleware.js';
import { canActOn, type AuditSink, type StaffAuthenticator, type StaffPrincipal } from '../staff/principal.js';
import { topics, type EventBus } from './events.js';
import type { HandoffService } from './service.js';
import { eventStream } from './sse.js';
import type { StaffEvent } from './views.js';

const errors = {
  401: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not signed in' },
  403: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not a department of this member of staff' },
};
const notFoundResponse = { 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such conversation' } };
const conflictResponse = { 409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not possible in the conversation’s state (someone else holds it, already closed …)' } };

const SummarySchema = z
  .object({
    text: z.string(),
    questions: z.array(z.string()),
    guideId: z.string().nullable(),
    guideTitle: z.string().nullable(),
    formDraftId: z.string().nullable(),
    priorityReasons: z.array(z.enum(['elderly', 'disabled', 'complaint', 'escalated'])),
  })
  .openapi('HandoffSummary');
const ReasonSchema = z.enum(['handoff', 'no_answer', 'complaint', 'rating']);
export const QueueItemSchema = z
  .object({
    conversationId: z.string(),
    handoffId: z.string(),
    department: z.string(),
    reason: ReasonSchema,
    priority: z.number().openapi({ description: '0 normal … 3; higher is served sooner (elderly, disabled, complaint, escalated)' }),
    waitingSeconds: z.number(),
    summary: SummarySchema,
    channel: z.string(),
    requestedAt: z.number(),
    position: z.number().nullable(),
  })
  .openapi('QueueItem');
const ActionSchema = z
  .object({
    conversationId: z.string(),
    handoffId: z.string(),
    status: z.enum(['waiting', 'staff', 'closed']),
    department: z.string(),
    assignedTo: z.string().nullable(),
    position: z.number().nullable().optional(),
  })
  .openapi('HandoffAction');
const MessageSchema = z
  .object({
    id: z.string(),
    role: z.enum(['citizen', 'bot', 'staff', 'system']),
    type: z.string().nullable(),
    text: z.string(),
    author: z.string().nullable(),
    createdAt: z.number(),
    citations: z.array(z.unknown()).optional(),
    suggestions: z.array(z.string()).optional(),
    ratingRequested: z.boolean().optional(),
    handoff: HandoffSchema.nullable().optional(),
  })
  .openapi('ConversationMessage');
const HandoffRecordSchema = z.object({
  id: z.string(),
  department: z.string(),
  reason: ReasonSchema,
  priority: z.number(),
  summary: SummarySchema,
  status: z.string(),
  channel: z.string(),
  requestedAt: z.number(),
  queuedAt: z.number().nullable(),
  claimedAt: z.number().nullable(),
  claimedBy: z.string().nullable(),
  escalatedAt: z.number().nullable(),
  offeredAt: z.number().nullable(),
  activityAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  closedBy: z.string().nullable(),
  leftMessage: z.string().nullable(),
  callbackPhone: z.string().nullable(),
  note: z.string().nullable(),
});
const TranscriptSchema = z
  .object({
    conversation: z.object({
      id: z.string(),
      channel: z.string(),
      status: z.string(),
      department: z.string().nullable(),
      assignedTo: z.string().nullable(),
      guideId: z.string().nullable(),
      guideTitle: z.string().nullable(),
      createdAt: z.number(),
      updatedAt: z.number(),
    }),
    handoff: HandoffRecordSchema.extend({ view: HandoffSchema.nullable() }).nullable(),
    handoffs: z.array(HandoffRecordSchema),
    messages: z.array(
      MessageSchema.extend({
        authorId: z.string().nullable(),
        intent: z.string().nullable(),
        evidence: z.unknown().openapi({ description: 'bot replies: retrieved chunks with scores and guide titles, ranking, confidence, reason' }),
        form: z.unknown().optional(),
      }),
    ),
    drafts: z.array(
      z.object({
        id: z.string(),
        formId: z.string(),
        guideId: z.string().nullable(),
        status: z.string(),
        data: z.record(z.string(), z.string()),
        createdAt: z.number(),
        updatedAt: z.number(),
        confirmedAt: z.number().nullable(),
      }),
    ),
  })
  .openapi('Transcript');

const idParam = z.object({ id: z.string().min(1).max(100).openapi({ description: 'conversation id (c_…)' }) });
const department = z.string().trim().min(1).max(32);

const routes = {
  queue: createRoute({
    method: 'get',
    path: '/api/staff/queue',
    tags: ['staff'],
    summary: 'Waiting conversations of a department (default: all of mine), most urgent first',
    request: { query: z.object({ department: department.optional() }) },
    responses: { 200: { content: { 'application/json': { schema: z.object({ items: z.array(QueueItemSchema) }) } }, description: 'The queue' }, ...errors },
  }),
  claim: createRoute({
    method: 'post',
    path: '/api/staff/conversations/{id}/claim',
    tags: ['staff'],
    summary: 'Take a waiting conversation; of simultaneous claims exactly one wins, the others get 409',
    request: { params: idParam },
    responses: { 200: { content: { 'application/json': { schema: ActionSchema } }, description: 'Claimed' }, ...errors, ...notFoundResponse, ...conflictResponse },
  }),
  message: createRoute({
    method: 'post',
    path: '/api/staff/conversations/{id}/messages',
    tags: ['staff'],
    summary: 'Reply to the citizen (only the member of staff holding the conversation)',
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: z.object({ text: z.string().trim().min(1, '消息不能为空').max(2000, '消息不能超过 2000 字') }) } }, required: true },
    },
    responses: { 201: { content: { 'application/json': { schema: MessageSchema } }, description: 'Stored and sent' }, ...errors, ...notFoundResponse, ...conflictResponse },
  }),
  transfer: createRoute({
    method: 'post',
    path: '/api/staff/conversations/{id}/transfer',
    tags: ['staff'],
    summary: "To another department's queue",
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: z.object({ department, note: z.string().trim().max(500).optional() }) } }, required: true },
    },
    responses: {
      200: { content: { 'application/json': { schema: ActionSchema } }, description: 'Queued at the other department' },
      400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Unknown department, or the same one' },
      ...errors,
      ...notFoundResponse,
      ...conflictResponse,
    },
  }),
  close: createRoute({
    method: 'post',
    path: '/api/staff/conversations/{id}/close',
    tags: ['staff'],
    summary: 'End the conversation; the citizen is asked for a 好差评 rating',
    request: { params: idParam },
    responses: { 200: { content: { 'application/json': { schema: ActionSchema } }, description: 'Closed' }, ...errors, ...notFoundResponse, ...conflictResponse },
  }),
  transcript: createRoute({
    method: 'get',
    path: '/api/staff/conversations/{id}',
    tags: ['staff'],
    summary: "The transcript, with each bot reply's evidence, the form drafts and the handoffs",
    request: { params: idParam },
    responses: { 200: { content: { 'application/json': { schema: TranscriptSchema } }, description: 'The conversation' }, ...errors, ...notFoundResponse },
  }),
  callbacks: createRoute({
    method: 'get',
    path: '/api/staff/callbacks',
    tags: ['staff'],
    summary: 'Left messages with a phone number to call back (newest first)',
    request: { query: z.object({ department: department.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }) },
    responses: {
      200: {
        content: {
          'application/json': {
            schema: z.object({
              items: z.array(
                z.object({
                  handoffId: z.string(),
                  conversationId: z.string(),
                  department: z.string(),
                  reason: ReasonSchema,
                  message: z.string().nullable(),
                  phone: z.string().nullable(),
                  requestedAt: z.number(),
                  leftAt: z.number().nullable(),
                  summary: SummarySchema,
                }),
              ),
            }),
          },
        },
        description: 'Left messages',
      },
      ...errors,
    },
  }),
  events: createRoute({
    method: 'get',
    path: '/api/staff/events',
    tags: ['staff'],
    summary: "Server-sent events of my departments: queue changes and citizens' messages",
    responses: {
      200: {
        content: { 'text/event-stream': { schema: z.string().openapi({ description: 'events: ready, queue {action, conversationId, department, item?}, message {conversationId, department, message}' }) } },
        description: 'Event stream',
      },
      ...errors,
    },
  }),
};

export interface StaffHandoffRoutesOptions {
  handoff: () => HandoffService;
  events: () => EventBus;
  /** Resolves the member of staff (the accounts module, src/staff/). */
  authenticate: StaffAuthenticator;
  /** Where every staff action is written. */
  audit: AuditSink;
  closing: AbortSignal;
  heartbeatMs?: number;
}

function clientIp(c: Context): string | null {
  return c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || c.req.header('x-real-ip') || null;
}

/** The staff API of DESIGN.md (queue, claim, messages, transfer, close, transcript, events). */
export function staffHandoffRoutes(o: StaffHandoffRoutesOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const auth = requireStaff(o.authenticate);
  for (const path of ['/api/staff/queue', '/api/staff/callbacks', '/api/staff/events', '/api/staff/conversations/*']) app.use(path, auth);

  const audit = async (c: Context<AppEnv>, action: string, target: string | null, details?: unknown) => {
    const staff = c.get('staff');
    try {
      await o.audit.record({ actor: staff.id, action, target, details: { username: staff.username, ...(details as object | undefined) }, ip: clientIp(c) });
    } catch (err) {
      c.get('log').error({ err, action, target }, 'audit record failed');
    }
  };

  app.openapi(routes.queue, async (c) => {
    const { department } = c.req.valid('query');
    const items = await o.handoff().list(c.get('staff'), department);
    return c.json({ items }, 200);
  });

  app.openapi(routes.claim, async (c) => {
    const { id } = c.req.valid('param');
    const r = await o.handoff().claim(c.get('staff'), id);
    await audit(c, 'handoff.claim', id, { department: r.department, handoffId: r.handoffId });
    return c.json(r, 200);
  });

  app.openapi(routes.message, async (c) => {
    const { id } = c.req.valid('param');
    const m = await o.handoff().staffSay(c.get('staff'), id, c.req.valid('json').text);
    await audit(c, 'handoff.message', id, { messageId: m.id });
    return c.json(m, 201);
  });

  app.openapi(routes.transfer, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const r = await o.handoff().transfer(c.get('staff'), id, body.department, body.note);
    await audit(c, 'handoff.transfer', id, { to: body.department, note: body.note ?? null, handoffId: r.handoffId });
    return c.json(r, 200);
  });

  app.openapi(routes.close, async (c) => {
    const { id } = c.req.valid('param');
    const r = await o.handoff().close(c.get('staff'), id);
    await audit(c, 'handoff.close', id, { department: r.department, handoffId: r.handoffId });
    return c.json(r, 200);
  });

  app.openapi(routes.transcript, async (c) => {
    const { id } = c.req.valid('param');
    const t = await o.handoff().transcript(c.get('staff'), id);
    await audit(c, 'conversation.view', id);
    return c.json(t as never, 200);
  });

  app.openapi(routes.callbacks, async (c) => {
    const { department, limit } = c.req.valid('query');
    const items = await o.handoff().callbacks(c.get('staff'), department, limit);
    await audit(c, 'handoff.callbacks.view', department ?? null, { count: items.length });
    return c.json({ items }, 200);
  });

  app.openapi(routes.events, (c) => {
    const staff: StaffPrincipal = c.get('staff');
    const mine = (e: StaffEvent) => canActOn(staff, e.department);
    return eventStream(c, {
      ready: { departments: staff.role === 'admin' ? 'all' : staff.departments },
      heartbeatMs: o.heartbeatMs ?? 15_000,
      closing: o.closing,
      subscribe: (push) =>
        o.events().subscribe(topics.staff, (raw) => {
          const e = raw as StaffEvent;
          if (!mine(e)) return;
          push({ event: e.type, data: JSON.stringify(e), ...(e.type === 'message' ? { id: e.message.id } : {}) });
        }),
    }) as never;
  });
  return app;
}
