import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { forbidden } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import { clientIp } from '../staff/ip.js';
import { requireStaff } from '../staff/middleware.js';
import { canActOn, type AuditSink, type StaffAuthenticator } from '../staff/principal.js';
import { STAFF_ERRORS, STAFF_SECURITY } from '../staff/routes.js';
import type { CannedReplies } from './canned.js';

const CannedSchema = z
  .object({
    id: z.string(),
    department: z.string(),
    title: z.string().nullable(),
    text: z.string(),
    createdAt: z.number(),
    updatedAt: z.number(),
    updatedBy: z.string().nullable(),
  })
  .openapi('CannedReply');

const Department = z.string().trim().min(1).max(32);
const Title = z.string().trim().max(40).nullable();
const Text = z.string().trim().min(1, '常用语不能为空').max(2000, '常用语不能超过 2000 字');
const IdParam = z.object({ id: z.string().min(1).max(64) });
const one = { content: { 'application/json': { schema: z.object({ item: CannedSchema }) } }, description: 'The 常用语' };
const missing = { 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such 常用语' } };

export interface CannedRoutesDeps {
  canned: () => CannedReplies;
  authenticate: StaffAuthenticator;
  audit: AuditSink;
}

/** 常用语: agents read their departments'; admins add, change and remove them (audited). */
export function cannedRoutes(d: CannedRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const anyStaff = [requireStaff(d.authenticate)];
  const admin = [requireStaff(d.authenticate, 'admin')];
  const audit = (c: Context<AppEnv>, action: string, target: string, details: unknown) =>
    d.audit.record({ actor: c.get('staff').username, action, target, details, ip: clientIp(c) });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/staff/canned-replies',
      tags: ['staff'],
      summary: '常用语 of one of my departments (default: all of mine; admins: all)',
      security: STAFF_SECURITY,
      middleware: anyStaff,
      request: { query: z.object({ department: Department.optional() }) },
      responses: { 200: { content: { 'application/json': { schema: z.object({ items: z.array(CannedSchema) }) } }, description: '常用语' }, ...STAFF_ERRORS },
    }),
    async (c) => {
      const staff = c.get('staff');
      const { department } = c.req.valid('query');
      if (department && !canActOn(staff, department)) throw forbidden('只能查看本部门的常用语');
      const departments = department ? [department] : staff.role === 'admin' ? null : staff.departments;
      return c.json({ items: await d.canned().list(departments) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/admin/canned-replies',
      tags: ['admin'],
      summary: 'Add a 常用语 to a department',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { body: { content: { 'application/json': { schema: z.object({ department: Department, title: Title.optional(), text: Text }).openapi('NewCannedReply') } }, required: true } },
      responses: { 201: one, ...STAFF_ERRORS },
    }),
    async (c) => {
      const item = await d.canned().create(c.req.valid('json'), c.get('staff').username);
      await audit(c, 'canned.create', item.id, { department: item.department });
      return c.json({ item }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/admin/canned-replies/{id}',
      tags: ['admin'],
      summary: 'Change a 常用语',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ department: Department.optional(), title: Title.optional(), text: Text.optional() }) } }, required: true } },
      responses: { 200: one, ...STAFF_ERRORS, ...missing },
    }),
    async (c) => {
      const item = await d.canned().update(c.req.valid('param').id, c.req.valid('json'), c.get('staff').username);
      await audit(c, 'canned.update', item.id, { department: item.department });
      return c.json({ item }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/admin/canned-replies/{id}',
      tags: ['admin'],
      summary: 'Remove a 常用语',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { params: IdParam },
      responses: { 200: one, ...STAFF_ERRORS, ...missing },
    }),
    async (c) => {
      const item = await d.canned().remove(c.req.valid('param').id);
      await audit(c, 'canned.delete', item.id, { department: item.department });
      return c.json({ item }, 200);
    },
  );
  return app;
}
