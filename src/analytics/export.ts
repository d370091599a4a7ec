import { sql, type Kysely } from 'kysely';
import type { KnowledgeBase } from '../kb/load.js';
import { localIso } from '../platform/period.js';
import { maskPII } from '../platform/pii.js';
import { departmentOf } from '../records/departments.js';
import type { Database } from '../records/schema.js';
import { LEVEL_NAMES } from '../ratings/levels.js';
import { BOM, csvRow } from './csv.js';
import { conversationScope, departmentColumnScope, type DepartmentScope } from './scope.js';

export interface ExportQuery {
  from: number;
  to: number;
  scope: DepartmentScope;
}

const STATUS_NAMES: Record<string, string> = { bot: '智能应答', waiting: '排队中', staff: '人工服务中', closed: '已结束' };
const FOLLOWUP_NAMES: Record<string, string> = { open: '待回访', closed: '已办结', cancelled: '已撤销（评价已改好）' };

/** A CSV download as a stream, produced batch by batch so a long period never sits in memory. */
function csvStream(header: string[], batches: () => AsyncGenerator<unknown[][]>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let it: AsyncGenerator<unknown[][]> | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(BOM + csvRow(header)));
    },
    async pull(controller) {
      it ??= batches();
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(enc.encode(value.map(csvRow).join('')));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await it?.return(undefined);
    },
  });
}

/**
 * CSV exports of ratings and conversations for a period. Free text (comments, questions) is
 * masked: ID numbers, phones, bank cards and e-mails never leave in the clear.
 */
export class Exports {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: { kb: () => KnowledgeBase; batch?: number },
  ) {}

  private get batch() {
    return this.opts.batch ?? 500;
  }

  ratingsCsv(q: ExportQuery): ReadableStream<Uint8Array> {
    const header = ['评价编号', '对话编号', '部门', '等级', '等级名称', '评价内容', '评价时间', '最后修改', '差评回访', '回访期限', '回访办结时间'];
    const db = this.db;
    const size = this.batch;
    return csvStream(header, async function* () {
      let after: { at: number; id: string } | null = null;
      for (;;) {
        let s = db
          .selectFrom('ratings as r')
          .leftJoin('followups as f', 'f.rating_id', 'r.id')
          .select(['r.id', 'r.conversation_id', 'r.department', 'r.level', 'r.comment', 'r.created_at', 'r.updated_at', 'f.status as f_status', 'f.due_at as f_due', 'f.closed_at as f_closed'])
          .where('r.created_at', '>=', q.from)
          .where('r.created_at', '<', q.to)
          .where(departmentColumnScope(q.scope, 'r.department'));
        if (after) {
          const a = after;
          s = s.where((eb) => eb.or([eb('r.created_at', '>', a.at), eb.and([eb('r.created_at', '=', a.at), eb('r.id', '>', a.id)])]));
        }
        const rows = await s.orderBy('r.created_at').orderBy('r.id').limit(size).execute();
        if (!rows.length) return;
        yield rows.map((r) => [
          r.id,
          r.conversation_id,
          r.department,
          Number(r.level),
          LEVEL_NAMES[Number(r.level)],
          r.comment ? maskPII(r.comment) : '',
          localIso(Number(r.created_at)),
          localIso(Number(r.updated_at)),
          r.f_status ? FOLLOWUP_NAMES[r.f_status] ?? r.f_status : '',
          r.f_due === null ? '' : localIso(Number(r.f_due)),
          r.f_closed === null ? '' : localIso(Number(r.f_closed)),
        ]);
        const last = rows[rows.length - 1];
        after = { at: Number(last.created_at), id: last.id };
        if (rows.length < size) return;
      }
    });
  }

  conversationsCsv(q: ExportQuery): ReadableStream<Uint8Array> {
    const header = ['对话编号', '渠道', '部门', '事项', '状态', '开始时间', '最后活动', '结束时间', '消息数', '群众消息数', '首个问题', '转人工', '评价等级', '评价'];
    const db = this.db;
    const size = this.batch;
    const kb = this.opts.kb();
    const inScope = conversationScope(q.scope, kb, 'c');
    return csvStream(header, async function* () {
      let after: { at: number; id: string } | null = null;
      for (;;) {
        let s = db.selectFrom('conversations as c').selectAll('c').where('c.created_at', '>=', q.from).where('c.created_at', '<', q.to).where(inScope);
        if (after) {
          const a = after;
          s = s.where((eb) => eb.or([eb('c.created_at', '>', a.at), eb.and([eb('c.created_at', '=', a.at), eb('c.id', '>', a.id)])]));
        }
        const convs = await s.orderBy('c.created_at').orderBy('c.id').limit(size).execute();
        if (!convs.length) return;
        const ids = convs.map((c) => c.id);
        const counts = await db
          .selectFrom('messages')
          .select(['conversation_id', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`sum(case when role = 'citizen' then 1 else 0 end)`.as('citizen')])
          .where('conversation_id', 'in', ids)
          .groupBy('conversation_id')
          .execute();
        const first = await db
          .selectFrom('messages as m')
          .select(['m.conversation_id', 'm.text'])
          .where('m.conversation_id', 'in', ids)
          .where('m.role', '=', 'citizen')
          .where('m.seq', '=', (eb) =>
            eb.selectFrom('messages as m2').select((e) => e.fn.min('m2.seq').as('s')).whereRef('m2.conversation_id', '=', 'm.conversation_id').where('m2.role', '=', 'citizen'),
          )
          .execute();
        const ratings = await db.selectFrom('ratings').select(['conversation_id', 'level']).where('conversation_id', 'in', ids).execute();
        const handed = await db.selectFrom('handoffs').select('conversation_id').distinct().where('conversation_id', 'in', ids).execute();
        const countOf = new Map(counts.map((c) => [c.conversation_id, c]));
        const firstOf = new Map(first.map((m) => [m.conversation_id, m.text]));
        const ratingOf = new Map(ratings.map((r) => [r.conversation_id, Number(r.level)]));
        const handedSet = new Set(handed.map((h) => h.conversation_id));
        yield convs.map((c) => {
          const level = ratingOf.get(c.id);
          const guide = c.guide_id ? kb.byId.get(c.guide_id) : undefined;
          return [
            c.id,
            c.channel,
            departmentOf(c, kb),
            guide?.title ?? c.guide_id ?? '',
            STATUS_NAMES[c.status] ?? c.status,
            localIso(Number(c.created_at)),
            localIso(Number(c.updated_at)),
            c.closed_at === null ? '' : localIso(Number(c.closed_at)),
            Number(countOf.get(c.id)?.n ?? 0),
            Number(countOf.get(c.id)?.citizen ?? 0),
            maskPII(firstOf.get(c.id) ?? ''),
            handedSet.has(c.id) ? '是' : '否',
            level ?? '',
            level ? LEVEL_NAMES[level] : '',
          ];
        });
        const last = convs[convs.length - 1];
        after = { at: Number(last.created_at), id: last.id };
        if (convs.length < size) return;
      }
    });
  }
}
