import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { badRequest } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import { DAY_MS, PeriodQuery, localDay } from '../platform/period.js';
import { clientIp } from '../staff/ip.js';
import { requireStaff } from '../staff/middleware.js';
import type { AuditSink, StaffAuthenticator } from '../staff/principal.js';
import { STAFF_ERRORS, STAFF_SECURITY } from '../staff/routes.js';
import type { Exports } from './export.js';
import { scopeFor } from './scope.js';
import type { Analytics } from './stats.js';
import type { UnansweredQuestions } from './unanswered.js';

const MAX_PERIOD_DAYS = 3 * 366;

/** The period asked for: default the last 30 days; `from` must come before `to`. */
export function period(q: { from?: number; to?: number }, now = Date.now()): { from: number; to: number } {
  const to = q.to ?? now;
  const from = q.from ?? to - 30 * DAY_MS;
  if (from >= to) throw badRequest('开始时间（from）应早于结束时间（to）');
  if (to - from > MAX_PERIOD_DAYS * DAY_MS) throw badRequest(`时间段请不要超过 ${MAX_PERIOD_DAYS} 天`);
  return { from, to };
}

const Query = z.object({ ...PeriodQuery, department: z.string().min(1).max(32).optional() });

const DayFigures = z.object({
  date: z.string(),
  conversations: z.number(),
  messages: z.number(),
  asked: z.number(),
  answered: z.number(),
  handoffs: z.number(),
  ratings: z.number(),
  poorRatings: z.number(),
});
const StatsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    departments: z.array(z.string()).nullable().openapi({ description: 'null: every department' }),
    conversations: z.number(),
    messages: z.number(),
    citizenMessages: z.number(),
    asked: z.number(),
    answered: z.number(),
    answerRate: z.number().nullable().openapi({ description: 'answered / asked, where asked = replies of type answer or no_answer' }),
    handoffs: z.number(),
    handoffRate: z.number().nullable().openapi({ description: 'conversations handed to staff / conversations' }),
    medianWaitSeconds: z.number().nullable(),
    medianHandlingSeconds: z.number().nullable(),
    ratings: z.object({ '1': z.number(), '2': z.number(), '3': z.number(), '4': z.number(), '5': z.number() }),
    ratingCount: z.number(),
    satisfaction: z.number().nullable().openapi({ description: 'share of ratings 3–5 (基本满意 or better)' }),
    averageLevel: z.number().nullable(),
    followups: z.object({ open: z.number(), overdue: z.number(), opened: z.number(), closed: z.number() }),
    topServices: z.array(z.object({ guideId: z.string(), title: z.string(), department: z.string().nullable(), answers: z.number() })),
    topUnanswered: z.array(z.object({ sample: z.string(), count: z.number(), closestGuide: z.string().nullable() })),
    byDay: z.array(DayFigures),
  })
  .openapi('Stats');

const GroupSchema = z
  .object({
    count: z.number(),
    conversations: z.number(),
    samples: z.array(z.string()),
    terms: z.array(z.string()),
    firstSeen: z.string(),
    lastSeen: z.string(),
    reasons: z.object({ no_answer: z.number(), low_rating: z.number() }),
    closestGuide: z.object({ id: z.string(), title: z.string(), department: z.string() }).nullable(),
  })
  .openapi('UnansweredGroup');

const csvResponse = { 200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV (UTF-8 with BOM), personal data masked' }, ...STAFF_ERRORS };

export interface AnalyticsRoutesDeps {
  analytics: () => Analytics;
  unanswered: () => UnansweredQuestions;
  exports: () => Exports;
  authenticate: StaffAuthenticator;
  audit: AuditSink;
  now?: () => number;
}

/**
 * Stats (admins: any department; agents: their own departments only), the unanswered-questions
 * list and CSV exports (admins only; every export is audited).
 */
export function analyticsRoutes(d: AnalyticsRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const now = d.now ?? Date.now;
  const anyStaff = [requireStaff(d.authenticate)];
  const admin = [requireStaff(d.authenticate, 'admin')];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/admin/stats',
      tags: ['admin'],
      summary: 'Figures of a period (default the last 30 days): admins any department, agents their own',
      security: STAFF_SECURITY,
      middleware: anyStaff,
      request: { query: Query },
      responses: { 200: { content: { 'application/json': { schema: StatsSchema } }, description: 'Figures' }, ...STAFF_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const scope = scopeFor(c.get('staff'), q.department);
      return c.json(await d.analytics().stats({ ...period(q, now()), scope }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/admin/unanswered',
      tags: ['admin'],
      summary: 'Unanswered and poorly rated questions, grouped by similarity, largest group first',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { query: Query.extend({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
      responses: { 200: { content: { 'application/json': { schema: z.object({ items: z.array(GroupSchema), total: z.number() }) } }, description: 'Groups' }, ...STAFF_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const groups = await d.unanswered().groups({ ...period(q, now()), scope: scopeFor(c.get('staff'), q.department), limit: q.limit });
      return c.json(
        {
          items: groups.map((g) => ({ ...g, firstSeen: new Date(g.firstSeen).toISOString(), lastSeen: new Date(g.lastSeen).toISOString() })),
          total: groups.reduce((s, g) => s + g.count, 0),
        },
        200,
      );
    },
  );

  const exportRoute = (what: 'ratings' | 'conversations') =>
    createRoute({
      method: 'get',
      path: `/api/admin/export/${what}.csv`,
      tags: ['admin'],
      summary: `CSV of the period’s ${what} (masked; audited)`,
      security: STAFF_SECURITY,
      middleware: admin,
      request: { query: Query },
      responses: csvResponse,
    });

  const download = async (c: Context<AppEnv>, what: 'ratings' | 'conversations', q: z.infer<typeof Query>) => {
    const p = period(q, now());
    const scope = scopeFor(c.get('staff'), q.department);
    await d.audit.record({
      actor: c.get('staff').username,
      action: `export.${what}`,
      ip: clientIp(c),
      details: { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), department: q.department ?? null },
    });
    const body = what === 'ratings' ? d.exports().ratingsCsv({ ...p, scope }) : d.exports().conversationsCsv({ ...p, scope });
    const name = `${what}-${localDay(p.from)}-${localDay(p.to - 1)}.csv`;
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' },
    });
  };
  app.openapi(exportRoute('ratings'), async (c) => download(c, 'ratings', c.req.valid('query')) as never);
  app.openapi(exportRoute('conversations'), async (c) => download(c, 'conversations', c.req.valid('query')) as never);
  return app;
}
