/**
 * Demonstration cases from a JSON file (knowledge/demo/cases.json), so `npm start` can show a
 * progress query without a case system. Every answer says it comes from demo data. The file holds
 * only the last four digits of each applicant's phone, never a whole number.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { caseRecordSchema, type CaseLookup, type CaseQuery, type CaseSystem } from './case-system.js';

const demoFileSchema = z.object({
  notice: z.string().min(1),
  cases: z.array(caseRecordSchema.extend({ phoneLast4: z.string().regex(/^\d{4}$/) })).max(1000),
});

export class DemoCaseSystem implements CaseSystem {
  readonly name = 'demo';
  readonly demo = true;
  private readonly cases: z.output<typeof demoFileSchema>['cases'];

  constructor(readonly file: string) {
    if (!existsSync(file)) throw new Error(`demo cases file ${file} does not exist`);
    const parsed = demoFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`demo cases file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.cases = parsed.data.cases;
  }

  async lookup(q: CaseQuery): Promise<CaseLookup> {
    const c = this.cases.find((x) => x.caseNo.toUpperCase() === q.caseNo.toUpperCase() && x.phoneLast4 === q.phoneLast4);
    if (!c) return { found: false };
    const { phoneLast4: _digits, ...record } = c;
    return { found: true, record };
  }
}
