/**
 * The connector to the city's case-handling system over HTTP (CASES_API_URL).
 *
 * Request (one per query; the phone digits travel in the body, never in a URL or access log):
 *
 *   POST <CASES_API_URL>/cases/lookup
 *   Authorization: Bearer <CASES_API_TOKEN>        (when set)
 *   Content-Type: application/json
 *   { "caseNo": "SL20250301001", "phoneLast4": "5678" }
 *
 * Responses:
 *   200  { "caseNo", "serviceName", "status", "statusText"?, "currentStep"?,
 *          "expectedCompletionDate"? (YYYY-MM-DD), "department"?, "updatedAt"?, "note"? }
 *        status is one of received, accepted, in_review, supplement_required, approved,
 *        rejected, producing, ready_for_pickup, completed, cancelled; any other code is shown
 *        with its statusText.
 *   404  no case with this number and these phone digits (the system does not say which).
 *   400  the case number is not one the system accepts: treated as not found.
 *   401/403  the token is wrong: unavailable, logged as a configuration error.
 *   429, 5xx, connection errors: retried CASES_API_RETRIES times with backoff, then unavailable.
 *   No answer within CASES_API_TIMEOUT_MS: unavailable at once (a slow system is not retried;
 *   the citizen is waiting).
 */
import type { Logger } from '../platform/logger.js';
import { CaseSystemUnavailable, caseRecordSchema, type CaseLookup, type CaseQuery, type CaseSystem } from './case-system.js';

export interface HttpCaseSystemOptions {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  retries: number;
  /** First backoff delay; doubled on each retry. */
  retryDelayMs?: number;
  logger?: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HttpCaseSystem implements CaseSystem {
  readonly name = 'http';
  readonly demo = false;

  constructor(private readonly opts: HttpCaseSystemOptions) {}

  async lookup(q: CaseQuery): Promise<CaseLookup> {
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/cases/lookup`;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const body = JSON.stringify({ caseNo: q.caseNo, phoneLast4: q.phoneLast4 });
    let last: CaseSystemUnavailable | null = null;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await sleep((this.opts.retryDelayMs ?? 200) * 2 ** (attempt - 1));
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      } catch (e) {
        const err = e as Error;
        if (err.name === 'TimeoutError' || err.name === 'AbortError') {
          this.opts.logger?.warn({ attempt, timeoutMs: this.opts.timeoutMs }, 'case system timed out');
          throw new CaseSystemUnavailable(`no answer within ${this.opts.timeoutMs} ms`, 'timeout');
        }
        last = new CaseSystemUnavailable(`cannot reach the case system: ${err.message}`, 'network');
        this.opts.logger?.warn({ attempt, err: err.message }, 'case system unreachable');
        continue;
      }
      if (res.status === 404 || res.status === 400) {
        await res.body?.cancel();
        return { found: false };
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        this.opts.logger?.error({ status: res.status }, 'case system refused our credentials: check CASES_API_TOKEN');
        throw new CaseSystemUnavailable(`case system answered ${res.status}`, 'misconfigured');
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        last = new CaseSystemUnavailable(`case system answered ${res.status}`, 'server_error');
        this.opts.logger?.warn({ attempt, status: res.status }, 'case system error');
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new CaseSystemUnavailable(`unexpected status ${res.status}`, 'bad_response');
      }
      let json: unknown;
      try {
        json = await res.json();
      } catch (e) {
        if ((e as Error).name === 'TimeoutError') throw new CaseSystemUnavailable(`no answer within ${this.opts.timeoutMs} ms`, 'timeout');
        throw new CaseSystemUnavailable('case system answered with invalid JSON', 'bad_response');
      }
      const parsed = caseRecordSchema.safeParse(json);
      if (!parsed.success) {
        this.opts.logger?.error({ issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'case system answer does not match the mapping');
        throw new CaseSystemUnavailable('case system answer does not match the documented mapping', 'bad_response');
      }
      return { found: true, record: parsed.data };
    }
    throw last ?? new CaseSystemUnavailable('case system did not answer', 'network');
  }
}
