import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { confidenceOf, type Answerer } from '../answer/answerer.js';
import { validationHook, type AppEnv } from '../platform/http.js';

const ChunkHitSchema = z
  .object({
    chunkId: z.string(),
    guideId: z.string(),
    title: z.string(),
    aspect: z.string().nullable(),
    heading: z.string(),
    score: z.number().openapi({ description: 'reciprocal-rank fusion score' }),
    bm25: z.number(),
    similarity: z.number().openapi({ description: 'cosine similarity of the embeddings' }),
    text: z.string().openapi({ description: 'the start of the chunk text' }),
  })
  .openapi('ChunkHit');

const GuideHitSchema = z
  .object({ guideId: z.string(), title: z.string(), department: z.string(), score: z.number(), confidence: z.number(), matched: z.array(z.string()) })
  .openapi('GuideHit');

const searchRoute = createRoute({
  method: 'get',
  path: '/api/search',
  tags: ['guides'],
  summary: 'Ranked chunks and guides with their scores (for staff and debugging)',
  request: {
    query: z.object({
      q: z.string().trim().min(1, 'q must not be empty').max(500),
      limit: z.coerce.number().int().min(1).max(50).default(10),
    }),
  },
  responses: {
    200: {
      content: {
        'application/json': {
          schema: z.object({ query: z.string(), terms: z.array(z.string()), aspect: z.string().nullable(), chunks: z.array(ChunkHitSchema), guides: z.array(GuideHitSchema) }),
        },
      },
      description: 'The ranking',
    },
  },
});

/** GET /api/search?q=: what retrieval sees for a question (the answerer's own analysis), with every score. */
export function searchRoutes(answerer: Answerer) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(searchRoute, async (c) => {
    const { q, limit } = c.req.valid('query');
    const { question, detected, result: r } = await answerer.analyze(q, limit);
    const round = (x: number) => Math.round(x * 1e4) / 1e4;
    return c.json(
      {
        query: question,
        terms: r.terms,
        aspect: detected.aspect,
        chunks: r.chunks.map((h) => ({
          chunkId: h.chunk.id,
          guideId: h.chunk.guideId,
          title: h.chunk.title,
          aspect: h.chunk.aspect,
          heading: h.chunk.heading,
          score: round(h.score),
          bm25: round(h.bm25),
          similarity: round(h.similarity),
          text: h.chunk.body.slice(0, 200),
        })),
        guides: r.guides.map((g) => ({ guideId: g.guideId, title: g.title, department: g.department, score: round(g.score), confidence: round(confidenceOf(g)), matched: g.matched })),
      },
      200,
    );
  });
  return app;
}
