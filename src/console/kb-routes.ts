import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { badRequest } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import type { Library } from '../search/library.js';
import { clientIp } from '../staff/ip.js';
import { requireStaff } from '../staff/middleware.js';
import type { AuditSink, StaffAuthenticator } from '../staff/principal.js';
import { STAFF_ERRORS, STAFF_SECURITY } from '../staff/routes.js';
import type { KbJobs } from './kb-jobs.js';
import { limitBody } from '../platform/body-limit.js';

export const KbJobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['import', 'rebuild']),
    format: z.enum(['gdzwfw', 'faq']).nullable(),
    file: z.string().nullable(),
    stage: z.enum(['queued', 'import', 'index', 'done', 'failed']),
    progress: z.number().openapi({ description: '0…1 over the whole job' }),
    detail: z.string(),
    report: z
      .object({ imported: z.number(), rejected: z.array(z.object({ line: z.number(), reason: z.string() })).openapi({ description: 'the first 1000' }), rejectedTotal: z.number() })
      .nullable(),
    index: z.object({ guides: z.number(), faqs: z.number(), chunks: z.number(), buildMs: z.number() }).nullable(),
    error: z.string().nullable(),
    by: z.string(),
    startedAt: z.number(),
    finishedAt: z.number().nullable(),
  })
  .openapi('KbJob');

const jobResponse = (description: string) => ({ content: { 'application/json': { schema: z.object({ job: KbJobSchema }) } }, description });
const busy = { 409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Another import or rebuild is running' } };

const UploadSchema = z
  .object({
    file: z
      .custom<File>((v) => typeof File !== 'undefined' && v instanceof File, '请选择要上传的文件')
      .openapi({ type: 'string', format: 'binary', description: 'gdzwfw JSON lines (.jsonl/.json) or FAQ table (.csv/.xlsx)' }),
    format: z.enum(['gdzwfw', 'faq']).optional().openapi({ description: 'default: from the file name (.csv/.xlsx: faq, else gdzwfw)' }),
  })
  .openapi('KbUpload');

export interface KbRoutesDeps {
  jobs: () => KbJobs;
  library: () => Library;
  authenticate: StaffAuthenticator;
  audit: AuditSink;
  maxUploadBytes: number;
}

const formatOf = (name: string): 'gdzwfw' | 'faq' => (/\.(csv|xlsx)$/i.test(name) ? 'faq' : 'gdzwfw');

/** The knowledge base for admins: what is loaded, uploads (import + rebuild) and rebuilds, as jobs with progress. */
export function kbAdminRoutes(d: KbRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const admin = [requireStaff(d.authenticate, 'admin')];
  const audit = (c: Context<AppEnv>, action: string, details: unknown) => d.audit.record({ actor: c.get('staff').username, action, details, ip: clientIp(c) });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/admin/kb',
      tags: ['admin'],
      summary: 'The knowledge base loaded now, and the recent imports and rebuilds',
      security: STAFF_SECURITY,
      middleware: admin,
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({
                guides: z.number(),
                faqs: z.number(),
                chunks: z.number(),
                departments: z.array(z.object({ department: z.string(), guides: z.number() })),
                problems: z.number().openapi({ description: 'errors found when the knowledge was read (npm run kb:check lists them)' }),
                jobs: z.array(KbJobSchema),
              }),
            },
          },
          description: 'The knowledge base',
        },
        ...STAFF_ERRORS,
      },
    }),
    (c) => {
      const lib = d.library();
      const kb = lib.kb;
      const counts = new Map<string, number>();
      for (const g of kb.guides) counts.set(g.department, (counts.get(g.department) ?? 0) + 1);
      return c.json(
        {
          guides: kb.guides.length,
          faqs: kb.faqs.length,
          chunks: lib.manifest.chunks,
          departments: [...counts].map(([department, guides]) => ({ department, guides })).sort((a, b) => b.guides - a.guides),
          problems: kb.problems.filter((p) => p.severity === 'error').length,
          jobs: d.jobs().list(),
        },
        200,
      );
    },
  );

  // A spreadsheet or export is far larger than a chat message: its own limit, before parsing.
  app.use(
    '/api/admin/kb/imports',
    limitBody({ maxBytes: d.maxUploadBytes, message: `文件过大（上限 ${Math.round(d.maxUploadBytes / 1024 / 1024)} MB）` }),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/admin/kb/imports',
      tags: ['admin'],
      summary: 'Upload a gdzwfw export or an FAQ table: imported, then the index rebuilt and swapped in (poll the job)',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { body: { content: { 'multipart/form-data': { schema: UploadSchema } }, required: true } },
      responses: { 202: jobResponse('Started'), ...STAFF_ERRORS, ...busy, 413: { content: { 'application/json': { schema: ErrorSchema } }, description: 'File too large' } },
    }),
    async (c) => {
      const { file, format } = c.req.valid('form');
      if (!file.size) throw badRequest('上传的文件是空的');
      const f = format ?? formatOf(file.name);
      if (f === 'faq' && !/\.(csv|xlsx)$/i.test(file.name)) throw badRequest('常见问题表格请上传 .csv 或 .xlsx 文件');
      const job = d.jobs().startImport(f, file.name, Buffer.from(await file.arrayBuffer()), c.get('staff').username);
      await audit(c, 'kb.import', { job: job.id, format: f, file: file.name, bytes: file.size });
      return c.json({ job }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/admin/kb/rebuild',
      tags: ['admin'],
      summary: 'Rebuild the index from the knowledge on disk, without a restart; answers come from the old index until the new one is complete',
      security: STAFF_SECURITY,
      middleware: admin,
      responses: { 202: jobResponse('Started'), ...STAFF_ERRORS, ...busy },
    }),
    async (c) => {
      const job = d.jobs().startRebuild(c.get('staff').username);
      await audit(c, 'kb.rebuild', { job: job.id });
      return c.json({ job }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/admin/kb/jobs/{id}',
      tags: ['admin'],
      summary: 'An import or rebuild: stage, progress, report',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 200: jobResponse('The job'), ...STAFF_ERRORS, 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such job (on this instance)' } },
    }),
    (c) => c.json({ job: d.jobs().get(c.req.valid('param').id) }, 200),
  );
  return app;
}
