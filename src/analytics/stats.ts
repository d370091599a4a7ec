import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { KnowledgeBase } from '../kb/load.js';
import { DAY_MS, LOCAL_OFFSET_MS, localDay } from '../platform/period.js';
import type { Dialect } from '../records/migrations.js';
import type { Database } from '../records/schema.js';
import { LEVEL_NAMES } from '../ratings/levels.js';
import { conversationScope, departmentColumnScope, type DepartmentScope } from './scope.js';
import type { UnansweredQuestions } from './unanswered.js';

export interface StatsQuery {
  from: number;
  to: number;
  scope: DepartmentScope;
}

export interface DayFigures {
  date: string;
  conversations: number;
  messages: number;
  asked: number;
  answered: number;
  handoffs: number;
  ratings: number;
  poorRatings: number;
}

export interface Stats {
  from: string;
  to: string;
  departments: string[] | null;
  conversations: number;
  messages: number;
  citizenMessages: number;
  /** Questions the assistant answered from a guide, of those it tried (answer + no_answer). */
  asked: number;
  answered: number;
  answerRate: number | null;
  /** Conversations handed to staff, of all conversations. */
  handoffs: number;
  handoffRate: number | null;
  /** Median seconds from the handoff request to a member of staff taking it. */
  medianWaitSeconds: number | null;
  /** Median seconds from taking a conversation to closing it. */
  medianHandlingSeconds: number | null;
  ratings: Record<'1' | '2' | '3' | '4' | '5', number>;
  ratingCount: number;
  /** Share of ratings that are 基本满意 or better (好评率). */
  satisfaction: number | null;
  averageLevel: number | null;
  followups: { open: number; overdue: number; opened: number; closed: number };
  topServices: { guideId: string; title: string; department: string | null; answers: number }[];
  topUnanswered: { sample: string; count: number; closestGuide: string | null }[];
  byDay: DayFigures[];
}

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10_000) / 10_000 : null);

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The analytics figures of a period: one query per figure, aggregated in the database (counts,
 * by local day) where it can be; durations are fetched to take exact medians.
 */
export class Analytics {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly opts: { kb: () => KnowledgeBase; unanswered: UnansweredQuestions; now?: () => number },
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The day number of a timestamp column in local time (integer division on both engines). */
  private day(ref: string): RawBuilder<number> {
    return sql<number>`((${sql.ref(ref)} + ${sql.lit(LOCAL_OFFSET_MS)}) / ${sql.lit(DAY_MS)})`;
  }

  /** A text field of a JSON column. */
  private jsonField(ref: string, key: string): RawBuilder<string | null> {
    if (!/^\w+$/.test(key)) throw new Error(`bad JSON key ${key}`);
    return this.dialect === 'postgres'
      ? sql<string | null>`(${sql.ref(ref)}::json ->> ${sql.lit(key)})`
      : sql<string | null>`json_extract(${sql.ref(ref)}, ${sql.lit(`$.${key}`)})`;
  }

  async stats(q: StatsQuery): Promise<Stats> {
    const kb = this.opts.kb();
    const { from, to, scope } = q;
    const inScope = conversationScope(scope, kb, 'c');

    const convByDay = await this.db
      .selectFrom('conversations as c')
      .select([this.day('c.created_at').as('d'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('c.created_at', '>=', from)
      .where('c.created_at', '<', to)
      .where(inScope)
      .groupBy(sql`1`)
      .execute();

    const msgByDay = await this.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select([
        this.day('m.created_at').as('d'),
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`sum(case when m.role = 'citizen' then 1 else 0 end)`.as('citizen'),
        sql<number>`sum(case when m.role = 'bot' and m.type in ('answer', 'no_answer') then 1 else 0 end)`.as('asked'),
        sql<number>`sum(case when m.role = 'bot' and m.type = 'answer' then 1 else 0 end)`.as('answered'),
      ])
      .where('m.created_at', '>=', from)
      .where('m.created_at', '<', to)
      .where(inScope)
      .groupBy(sql`1`)
      .execute();

    // Conversations of the period handed to staff at least once, by the day the conversation began.
    const handoffByDay = await this.db
      .selectFrom('conversations as c')
      .select([this.day('c.created_at').as('d'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('c.created_at', '>=', from)
      .where('c.created_at', '<', to)
      .where(inScope)
      .where((eb) => eb.exists(eb.selectFrom('handoffs as h').select('h.id').whereRef('h.conversation_id', '=', 'c.id')))
      .groupBy(sql`1`)
      .execute();

    const handoffTimes = await this.db
      .selectFrom('handoffs as h')
      .select(['h.requested_at', 'h.claimed_at', 'h.closed_at'])
      .where('h.requested_at', '>=', from)
      .where('h.requested_at', '<', to)
      .where(departmentColumnScope(scope, 'h.department'))
      .where('h.claimed_at', 'is not', null)
      .execute();
    const waits = handoffTimes.map((h) => (Number(h.claimed_at) - Number(h.requested_at)) / 1000).filter((s) => s >= 0);
    const handling = handoffTimes.filter((h) => h.closed_at !== null).map((h) => (Number(h.closed_at) - Number(h.claimed_at)) / 1000).filter((s) => s >= 0);

    const ratingRows = await this.db
      .selectFrom('ratings as r')
      .select([this.day('r.created_at').as('d'), 'r.level', (eb) => eb.fn.countAll<number>().as('n')])
      .where('r.created_at', '>=', from)
      .where('r.created_at', '<', to)
      .where(departmentColumnScope(scope, 'r.department'))
      .groupBy([sql`1`, 'r.level'])
      .execute();

    const followScope = departmentColumnScope(scope, 'f.department');
    const now = this.now();
    const [openF] = await this.db
      .selectFrom('followups as f')
      .select([(eb) => eb.fn.countAll<number>().as('open'), sql<number>`sum(case when f.due_at < ${now} then 1 else 0 end)`.as('overdue')])
      .where('f.status', '=', 'open')
      .where(followScope)
      .execute();
    const [periodF] = await this.db
      .selectFrom('followups as f')
      .select([
        sql<number>`sum(case when f.created_at >= ${from} and f.created_at < ${to} then 1 else 0 end)`.as('opened'),
        sql<number>`sum(case when f.status = 'closed' and f.closed_at >= ${from} and f.closed_at < ${to} then 1 else 0 end)`.as('closed'),
      ])
      .where(followScope)
      .execute();

    const guideExpr = this.jsonField('m.evidence', 'guideId');
    const services = await this.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select([guideExpr.as('guide'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('m.role', '=', 'bot')
      .where('m.type', '=', 'answer')
      .where('m.created_at', '>=', from)
      .where('m.created_at', '<', to)
      .where(inScope)
      .where(guideExpr, 'is not', null)
      .groupBy(guideExpr)
      .orderBy(sql`2`, 'desc')
      .orderBy(sql`1`)
      .limit(10)
      .execute();

    const unanswered = await this.opts.unanswered.groups({ from, to, scope, limit: 10 });

    // By local day, every day of the period (up to a year) present even when nothing happened.
    const days = new Map<number, DayFigures>();
    const dayOf = (d: number) => {
      let f = days.get(d);
      if (!f) {
        f = { date: localDay(d * DAY_MS), conversations: 0, messages: 0, asked: 0, answered: 0, handoffs: 0, ratings: 0, poorRatings: 0 };
        days.set(d, f);
      }
      return f;
    };
    const firstDay = Math.floor((from + LOCAL_OFFSET_MS) / DAY_MS);
    const lastDay = Math.floor((to - 1 + LOCAL_OFFSET_MS) / DAY_MS);
    if (lastDay - firstDay <= 366) for (let d = firstDay; d <= lastDay; d++) dayOf(d);
    for (const r of convByDay) dayOf(Number(r.d)).conversations += Number(r.n);
    for (const r of handoffByDay) dayOf(Number(r.d)).handoffs += Number(r.n);
    let citizenMessages = 0;
    for (const r of msgByDay) {
      const f = dayOf(Number(r.d));
      f.messages += Number(r.n);
      f.asked += Number(r.asked);
      f.answered += Number(r.answered);
      citizenMessages += Number(r.citizen);
    }
    const ratings = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } as Stats['ratings'];
    for (const r of ratingRows) {
      const n = Number(r.n);
      const level = String(r.level) as keyof Stats['ratings'];
      if (level in ratings) ratings[level] += n;
      const f = dayOf(Number(r.d));
      f.ratings += n;
      if (Number(r.level) <= 2) f.poorRatings += n;
    }
    const byDay = [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
    const sum = (k: keyof Omit<DayFigures, 'date'>) => byDay.reduce((s, f) => s + f[k], 0);
    const conversations = sum('conversations');
    const asked = sum('asked');
    const answered = sum('answered');
    const handoffs = sum('handoffs');
    const ratingCount = Object.values(ratings).reduce((a, b) => a + b, 0);
    const good = ratings['3'] + ratings['4'] + ratings['5'];
    const levelSum = Object.entries(ratings).reduce((s, [l, n]) => s + Number(l) * n, 0);

    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      departments: scope.departments,
      conversations,
      messages: sum('messages'),
      citizenMessages,
      asked,
      answered,
      answerRate: ratio(answered, asked),
      handoffs,
      handoffRate: ratio(handoffs, conversations),
      medianWaitSeconds: median(waits),
      medianHandlingSeconds: median(handling),
      ratings,
      ratingCount,
      satisfaction: ratio(good, ratingCount),
      averageLevel: ratingCount ? Math.round((levelSum / ratingCount) * 100) / 100 : null,
      followups: { open: Number(openF?.open ?? 0), overdue: Number(openF?.overdue ?? 0), opened: Number(periodF?.opened ?? 0), closed: Number(periodF?.closed ?? 0) },
      topServices: services.map((s) => {
        const g = kb.byId.get(String(s.guide));
        return { guideId: String(s.guide), title: g?.title ?? String(s.guide), department: g?.department ?? null, answers: Number(s.n) };
      }),
      topUnanswered: unanswered.map((g) => ({ sample: g.samples[0] ?? '', count: g.count, closestGuide: g.closestGuide?.title ?? null })),
      byDay,
    };
  }
}

export { LEVEL_NAMES };
