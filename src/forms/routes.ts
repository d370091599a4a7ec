/**
 * Drafts over HTTP:
 *   GET   /api/forms/:draftId          the whole draft, to the session that made it (X-Session-Id)
 *                                      or to staff of the service's department
 *   PATCH /api/forms/:draftId          corrections from the form view, validated as in chat
 *   POST  /api/forms/:draftId/confirm  a complete draft → confirmed, with the handling link
 * A session id that does not own the draft gets 404, so draft ids cannot be probed.
 */
import { timingSafeEqual } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { FormSchema } from '../channels/web/chat.js';
import { forbidden, notFound, unauthorized } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import { sessionKey } from '../records/ids.js';
import type { ConversationRecords } from '../records/store.js';
import { canActOn, type StaffAuthenticator } from '../staff/principal.js';
import type { Draft, FormDrafts } from './drafts.js';

export interface FormRoutesOptions {
  drafts: () => FormDrafts;
  records: () => ConversationRecords;
  /** Staff credentials (src/staff); when given, staff of the draft's department may read it. */
  authenticate?: StaffAuthenticator;
}

const DraftSchema = FormSchema.extend({
  guideId: z.string().nullable(),
  department: z.string().nullable(),
  derived: z.record(z.string(), z.object({ birthDate: z.string(), sex: z.enum(['male', 'female']), age: z.number() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  confirmedAt: z.string().nullable(),
}).openapi('FormDraft');

const params = z.object({ draftId: z.string().min(1).max(64).openapi({ example: 'd_m9x2k1abcdEFGH' }) });
const headers = z.object({ 'x-session-id': z.string().max(128).optional().openapi({ description: 'The session that made the draft' }) });
const errors = {
  401: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No session id (and no staff credentials)' },
  403: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Staff of another department' },
  404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such draft for this session' },
};

const getDraft = createRoute({
  method: 'get',
  path: '/api/forms/{draftId}',
  tags: ['forms'],
  summary: 'A form draft with every value whole (ID and phone numbers unmasked)',
  request: { params, headers },
  responses: { 200: { content: { 'application/json': { schema: DraftSchema } }, description: 'The draft' }, ...errors },
});

const patchDraft = createRoute({
  method: 'patch',
  path: '/api/forms/{draftId}',
  tags: ['forms'],
  summary: 'Correct fields of a draft; each value is validated as in the chat, all or nothing',
  request: {
    params,
    headers,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ fields: z.record(z.string().max(40), z.string().max(2000).nullable()).openapi({ example: { phone: '13912345678' } }) })
            .openapi('FormPatch'),
        },
      },
    },
  },
  responses: {
    200: { content: { 'application/json': { schema: DraftSchema } }, description: 'The corrected draft' },
    400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Bad shape or a field the form does not have' },
    409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'The draft is confirmed or cancelled' },
    422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Wrong values: error.details.fields holds the reason per field' },
    ...errors,
  },
});

const confirmDraft = createRoute({
  method: 'post',
  path: '/api/forms/{draftId}/confirm',
  tags: ['forms'],
  summary: 'Confirm a complete draft; the answer carries the online handling link with the draft id',
  request: { params, headers },
  responses: {
    200: { content: { 'application/json': { schema: DraftSchema } }, description: 'The confirmed draft' },
    409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'The draft is not complete, or cancelled' },
    ...errors,
  },
});

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function formRoutes(opts: FormRoutesOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  /** The draft and its department, if the caller may see it; `owner` only for changes. */
  async function authorized(c: Context<AppEnv>, draftId: string, access: 'read' | 'owner'): Promise<{ draft: Draft; department: string | null }> {
    const sessionId = c.req.header('x-session-id');
    const staff = !sessionId && opts.authenticate && access === 'read' ? await opts.authenticate(c.req.raw) : null;
    if (!sessionId && !staff) throw unauthorized('请在请求头 X-Session-Id 中带上会话编号');
    const draft = await opts.drafts().load(draftId);
    const conversation = draft ? await opts.records().getConversation(draft.row.conversation_id) : undefined;
    if (!draft || !conversation) throw notFound('没有找到这份申请表草稿');
    const department = draft.guide?.department ?? conversation.department ?? null;
    if (sessionId) {
      if (!sameKey(sessionKey(sessionId), conversation.session_key)) throw notFound('没有找到这份申请表草稿');
    } else if (staff && !canActOn(staff, department)) throw forbidden('这份申请表不属于您所在的部门');
    return { draft, department };
  }

  app.openapi(getDraft, async (c) => {
    const { draft, department } = await authorized(c, c.req.valid('param').draftId, 'read');
    return c.json(opts.drafts().detail(draft, department), 200);
  });

  app.openapi(patchDraft, async (c) => {
    const { draft, department } = await authorized(c, c.req.valid('param').draftId, 'owner');
    const patched = await opts.drafts().patch(draft, c.req.valid('json').fields);
    return c.json(opts.drafts().detail(patched, department), 200);
  });

  app.openapi(confirmDraft, async (c) => {
    const { draft, department } = await authorized(c, c.req.valid('param').draftId, 'owner');
    const confirmed = await opts.drafts().confirm(draft);
    return c.json(opts.drafts().detail(confirmed, department), 200);
  });

  return app;
}
