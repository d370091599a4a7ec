import { OpenAPIHono } from '@hono/zod-openapi';
import { departmentsOf } from '../handoff/index.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import type { Services } from '../services.js';
import { CannedReplies } from './canned.js';
import { cannedRoutes } from './canned-routes.js';
import { KbJobs } from './kb-jobs.js';
import { kbAdminRoutes } from './kb-routes.js';
import { consolePages } from './pages.js';
import { consoleImportRoot, consoleUploadDir } from './paths.js';
import { queuesBoard } from './queues-board.js';

export { CannedReplies } from './canned.js';
export { KbJobs, type KbJob } from './kb-jobs.js';
export { consoleImportRoot, consoleUploadDir } from './paths.js';

const states = new WeakMap<Services, { canned: CannedReplies; jobs: KbJobs }>();

/** One job runner per instance (services), however many apps are made over it (tests make several). */
export function consoleState(s: Services): { canned: CannedReplies; jobs: KbJobs } {
  let st = states.get(s);
  if (!st) {
    const jobs = new KbJobs({ library: s.library, importRoot: consoleImportRoot(s.config.DATA_DIR), uploadDir: consoleUploadDir(s.config.DATA_DIR), logger: s.logger, bus: s.handoff.events });
    void jobs.listen();
    st = { canned: new CannedReplies(s.database.db), jobs };
    states.set(s, st);
  }
  return st;
}

export interface ConsoleOptions {
  /** The built console (tests); default dist/console. */
  dir?: string;
}

/**
 * The staff console and admin dashboard at /console/ (issue 9), with the server side only it
 * needs: 常用语, knowledge-base uploads and rebuilds, and Bull Board at /console/queues.
 */
export function consoleRoutes(s: Services, opts: ConsoleOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const { canned, jobs } = consoleState(s);
  app.route('/', cannedRoutes({ canned: () => canned, authenticate: s.staff.authenticate, audit: s.staff.audit }));
  app.route('/', kbAdminRoutes({ jobs: () => jobs, library: () => s.library, authenticate: s.staff.authenticate, audit: s.staff.audit, maxUploadBytes: s.config.KB_UPLOAD_MAX_BYTES }));
  app.route('/', queuesBoard({ redis: s.redis, authenticate: s.staff.authenticate, departments: () => departmentsOf(s.config, s.knowledge()) }));
  app.route('/', consolePages({ authenticate: s.staff.authenticate, dir: opts.dir }));
  return app;
}
