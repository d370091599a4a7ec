import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { badRequest } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import { clientIp } from '../staff/ip.js';
import { requireStaff } from '../staff/middleware.js';
import type { StaffAuthenticator } from '../staff/principal.js';
import { STAFF_ERRORS, STAFF_SECURITY } from '../staff/routes.js';
import type { FollowupView, Followups } from './followups.js';
import { MAX_COMMENT_CHARS, ratingJson, type Ratings } from './ratings.js';
import { limitBody } from '../platform/body-limit.js';

const err = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });

const RatingRequest = z
  .object({
    sessionId: z.string().max(128).optional().openapi({ description: 'The citizen’s session id (or the X-Session-Id header)' }),
    messageId: z.string().max(64).optional().openapi({ description: 'The reply being rated (optional)' }),
    level: z.number().int().min(1).max(5).openapi({ description: '5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意', example: 5 }),
    comment: z.string().max(MAX_COMMENT_CHARS * 4).optional(),
  })
  .openapi('RatingRequest');

const RatingResponse = z
  .object({
    ratingId: z.string(),
    level: z.number(),
    levelName: z.string(),
    comment: z.string().nullable(),
    messageId: z.string().nullable(),
    replaced: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    editableUntil: z.string(),
    followup: z.object({ id: z.string(), status: z.string(), dueAt: z.string() }).nullable(),
  })
  .openapi('Rating');

const rate = createRoute({
  method: 'post',
  path: '/api/ratings',
  tags: ['ratings'],
  summary: '好差评: rate the conversation (re-rating within 24 h replaces it; then it is locked)',
  request: {
    headers: z.object({ 'x-session-id': z.string().max(128).optional() }),
    body: { content: { 'application/json': { schema: RatingRequest } }, required: true },
  },
  responses: {
    201: { content: { 'application/json': { schema: RatingResponse } }, description: 'Rated' },
    200: { content: { 'application/json': { schema: RatingResponse } }, description: 'The earlier rating was replaced' },
    400: err('Invalid request'),
    404: err('No such conversation or message'),
    409: err('Rated more than 24 hours ago: locked'),
    413: err('Comment too long'),
  },
});

export function ratingRoutes(ratings: () => Ratings) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(
    '/api/ratings',
    limitBody({ maxBytes: 16 * 1024, message: '请求体过大' }),
  );
  app.openapi(rate, async (c) => {
    const body = c.req.valid('json');
    const sessionId = body.sessionId ?? c.req.valid('header')['x-session-id'];
    if (!sessionId) throw badRequest('缺少会话编号（sessionId 或 X-Session-Id）');
    const r = await ratings().rate({ sessionId, messageId: body.messageId, level: body.level as 1 | 2 | 3 | 4 | 5, comment: body.comment });
    return c.json(ratingJson(r), r.replaced ? 200 : 201);
  });
  return app;
}

// ---- staff: 差评 follow-ups ------------------------------------------------------------------------

const FollowupSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    department: z.string().nullable(),
    status: z.enum(['open', 'closed', 'cancelled']),
    overdue: z.boolean(),
    dueAt: z.string(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
    level: z.number(),
    levelName: z.string(),
    comment: z.string().nullable(),
    ratedReply: z.string().nullable(),
    question: z.string().nullable(),
    action: z.string().nullable(),
    answer: z.string().nullable(),
    handledBy: z.string().nullable(),
  })
  .openapi('Followup');

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const followupJson = (f: FollowupView) => ({ ...f, dueAt: iso(f.dueAt)!, createdAt: iso(f.createdAt)!, closedAt: iso(f.closedAt) });

const IdParam = z.object({ id: z.string().min(1).max(64) });
const FollowupPatch = z.object({
  action: z.string().max(4000).optional().openapi({ description: 'What was checked and done' }),
  answer: z.string().max(4000).optional().openapi({ description: 'The answer to the citizen (required to close)' }),
});

export function followupRoutes(followups: () => Followups, authenticate: StaffAuthenticator) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const staff = [requireStaff(authenticate)];
  const one = { 200: { content: { 'application/json': { schema: z.object({ followup: FollowupSchema }) } }, description: 'The follow-up' }, ...STAFF_ERRORS, 404: err('No such follow-up') };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/staff/followups',
      tags: ['staff'],
      summary: '差评 follow-ups of one’s departments (admins: all), soonest due first',
      security: STAFF_SECURITY,
      middleware: staff,
      request: {
        query: z.object({
          status: z.enum(['open', 'overdue', 'closed', 'cancelled', 'all']).default('open'),
          department: z.string().max(32).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: { 200: { content: { 'application/json': { schema: z.object({ items: z.array(FollowupSchema) }) } }, description: 'Follow-ups' }, ...STAFF_ERRORS },
    }),
    async (c) => {
      const items = await followups().list(c.get('staff'), c.req.valid('query'));
      return c.json({ items: items.map(followupJson) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/staff/followups/{id}', tags: ['staff'], summary: 'One follow-up', security: STAFF_SECURITY, middleware: staff, request: { params: IdParam }, responses: one }),
    async (c) => c.json({ followup: followupJson(await followups().get(c.get('staff'), c.req.valid('param').id)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/staff/followups/{id}',
      tags: ['staff'],
      summary: 'Record what was done and/or the answer drafted (stays open)',
      security: STAFF_SECURITY,
      middleware: staff,
      request: { params: IdParam, body: { content: { 'application/json': { schema: FollowupPatch } }, required: true } },
      responses: { ...one, 409: err('Already closed') },
    }),
    async (c) => {
      const f = await followups().update(c.get('staff'), c.req.valid('param').id, c.req.valid('json'), clientIp(c));
      return c.json({ followup: followupJson(f) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/staff/followups/{id}/close',
      tags: ['staff'],
      summary: 'Close with the answer to the citizen (required); the answer is posted into their conversation',
      security: STAFF_SECURITY,
      middleware: staff,
      request: { params: IdParam, body: { content: { 'application/json': { schema: FollowupPatch } }, required: true } },
      responses: { ...one, 409: err('Already closed') },
    }),
    async (c) => {
      const f = await followups().close(c.get('staff'), c.req.valid('param').id, c.req.valid('json'), clientIp(c));
      return c.json({ followup: followupJson(f) }, 200);
    },
  );
  return app;
}
