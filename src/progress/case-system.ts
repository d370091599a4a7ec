/**
 * The city's case-handling system (办件系统), as progress queries see it. A case is found by its
 * number together with the last four digits of the applicant's phone; the system checks both,
 * and "no such case" and "digits do not match" look the same from here, so a receipt seen by
 * someone else tells them nothing.
 */
import { z } from 'zod';

/** Status codes the connector understands, and how they are said to a citizen. */
export const CASE_STATUS_TEXT = {
  received: '已收件，等待受理',
  accepted: '已受理',
  in_review: '审核中',
  supplement_required: '需要补正材料',
  approved: '审核通过',
  rejected: '不予受理或不予批准',
  producing: '制证中',
  ready_for_pickup: '已办好，可以领取',
  completed: '已办结',
  cancelled: '已撤回',
} as const;
export type CaseStatus = keyof typeof CASE_STATUS_TEXT;

export const caseRecordSchema = z.object({
  caseNo: z.string().min(1).max(64),
  serviceName: z.string().min(1).max(200),
  status: z.string().min(1).max(64),
  /** Wording from the case system, used when the status code is not one of ours. */
  statusText: z.string().max(200).nullish(),
  currentStep: z.string().max(200).nullish(),
  /** YYYY-MM-DD */
  expectedCompletionDate: z.iso.date().nullish(),
  department: z.string().max(100).nullish(),
  updatedAt: z.string().max(40).nullish(),
  /** What the citizen must do now (补正材料清单, 领取地点). */
  note: z.string().max(500).nullish(),
});
export type CaseRecord = z.output<typeof caseRecordSchema>;

export type CaseLookup = { found: true; record: CaseRecord } | { found: false };

export interface CaseQuery {
  caseNo: string;
  /** Last four digits of the phone number the applicant gave. */
  phoneLast4: string;
}

export interface CaseSystem {
  /** Shown in logs and on /healthz-style checks. */
  readonly name: string;
  /** Answers come from demonstration data, not a real case system. */
  readonly demo: boolean;
  /** Throws CaseSystemUnavailable when the system cannot answer now. */
  lookup(q: CaseQuery): Promise<CaseLookup>;
}

export class CaseSystemUnavailable extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'server_error' | 'network' | 'bad_response' | 'misconfigured' | 'not_configured',
  ) {
    super(message);
    this.name = 'CaseSystemUnavailable';
  }
}

export function statusText(r: CaseRecord): string {
  return (CASE_STATUS_TEXT as Record<string, string>)[r.status] ?? r.statusText ?? '办理中';
}
