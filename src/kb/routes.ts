import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { ErrorSchema } from '../platform/openapi.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { notFound } from '../platform/errors.js';
import { ASPECT_KEYS } from './aspects.js';
import type { KnowledgeBase } from './load.js';
import type { Guide } from './schema.js';
import { guideUrl } from './urls.js';

const SectionSchema = z.object({ aspect: z.enum(ASPECT_KEYS as [string, ...string[]]), heading: z.string(), text: z.string() });
export const GuideSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    department: z.string(),
    category: z.string().optional(),
    region: z.string().optional(),
    aliases: z.array(z.string()),
    audience: z.array(z.string()),
    onlineUrl: z.string().optional(),
    updated: z.string(),
    source: z.string().optional(),
    form: z.string().optional(),
    url: z.string(),
    sections: z.array(SectionSchema),
    faq: z.array(z.object({ question: z.string(), answer: z.string() })),
  })
  .openapi('Guide');

const GuideSummarySchema = z
  .object({ id: z.string(), title: z.string(), department: z.string(), category: z.string().optional(), region: z.string().optional(), url: z.string() })
  .openapi('GuideSummary');


export function guideToJson(g: Guide): z.infer<typeof GuideSchema> {
  return {
    id: g.id,
    title: g.title,
    department: g.department,
    category: g.category,
    region: g.region,
    aliases: g.aliases,
    audience: g.audience,
    onlineUrl: g.online_url,
    updated: g.updated,
    source: g.source,
    form: g.form,
    url: guideUrl(g.id),
    sections: g.sections.map((s) => ({ aspect: s.aspect, heading: s.heading, text: s.text })),
    faq: g.faq.map((f) => ({ question: f.question, answer: f.answer })),
  };
}

const getGuide = createRoute({
  method: 'get',
  path: '/api/guides/{id}',
  tags: ['guides'],
  summary: 'One whole service guide',
  request: { params: z.object({ id: z.string().max(100) }) },
  responses: {
    200: { content: { 'application/json': { schema: GuideSchema } }, description: 'The guide' },
    404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No guide with this id' },
  },
});

const listGuides = createRoute({
  method: 'get',
  path: '/api/guides',
  tags: ['guides'],
  summary: 'Guides, optionally of one department',
  request: {
    query: z.object({
      department: z.string().max(100).optional(),
      q: z.string().max(100).optional().openapi({ description: 'substring of the title or an alias' }),
      limit: z.coerce.number().int().min(1).max(5000).default(500),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ total: z.number(), items: z.array(GuideSummarySchema), departments: z.array(z.string()) }) } },
      description: 'Guides',
    },
  },
});

/** GET /api/guides and GET /api/guides/:id, over whichever knowledge base is current. */
export function guideRoutes(knowledge: () => KnowledgeBase) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(getGuide, (c) => {
    const g = knowledge().byId.get(c.req.valid('param').id);
    if (!g) throw notFound(`没有编号为 ${c.req.valid('param').id} 的办事指南`);
    return c.json(guideToJson(g), 200);
  });
  app.openapi(listGuides, (c) => {
    const { department, q, limit, offset } = c.req.valid('query');
    const kb = knowledge();
    const matches = kb.guides.filter(
      (g) => (!department || g.department === department) && (!q || g.title.includes(q) || g.aliases.some((a) => a.includes(q))),
    );
    return c.json(
      {
        total: matches.length,
        items: matches.slice(offset, offset + limit).map((g) => ({ id: g.id, title: g.title, department: g.department, category: g.category, region: g.region, url: guideUrl(g.id) })),
        departments: [...new Set(kb.guides.map((g) => g.department))].sort(),
      },
      200,
    );
  });
  return app;
}
