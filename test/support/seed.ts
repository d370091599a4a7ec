/**
 * A small, fully known set of records for the analytics, export and retention tests: six
 * conversations over 1–3 November 2026 (China time) and one just before, with answers,
 * no_answers, a clarification, a refusal, two handoffs and four ratings. The expected figures are
 * worked out by hand in the test that uses them.
 */
import type { Kysely } from 'kysely';
import { sessionKey } from '../../src/records/ids.js';
import type { Database } from '../../src/records/schema.js';

/** Epoch ms of a China-time wall clock: at('11-02 11:05'). */
export const at = (md: string) => Date.parse(`2026-${md.replace(' ', 'T')}:00+08:00`);

interface Msg {
  role: 'citizen' | 'bot' | 'staff';
  text: string;
  type?: string;
  guideId?: string;
  t: string;
}
interface Conv {
  id: string;
  t: string;
  channel?: string;
  department?: string;
  guideId?: string;
  messages: Msg[];
  handoff?: { department: string; requested: string; claimed?: string; closed?: string };
  rating?: { level: number; comment?: string; department: string; t: string };
}

export const SEED: Conv[] = [
  {
    id: 'c1',
    t: '11-01 09:00',
    guideId: 'id-card-replacement',
    messages: [
      { role: 'citizen', text: '身份证丢了怎么补办', t: '11-01 09:00' },
      { role: 'bot', type: 'answer', text: '补领居民身份证……', guideId: 'id-card-replacement', t: '11-01 09:00' },
      { role: 'citizen', text: '要多少钱', t: '11-01 09:01' },
      { role: 'bot', type: 'answer', text: '补领收费 20 元……', guideId: 'id-card-replacement', t: '11-01 09:01' },
    ],
    rating: { level: 5, comment: '很快，谢谢', department: '公安', t: '11-01 09:05' },
  },
  {
    id: 'c2',
    t: '11-01 10:00',
    messages: [
      { role: 'citizen', text: '怎么申请专利，我电话13812345678', t: '11-01 10:00' },
      { role: 'bot', type: 'no_answer', text: '抱歉，这个问题我在办事指南里没有找到……', t: '11-01 10:00' },
    ],
    rating: { level: 1, comment: '什么都答不上来，回电13812345678', department: '综合', t: '11-01 10:02' },
  },
  {
    id: 'c3',
    t: '11-02 11:00',
    department: '人社',
    guideId: 'retirement',
    messages: [
      { role: 'citizen', text: '退休手续怎么办', t: '11-02 11:00' },
      { role: 'bot', type: 'answer', text: '办理退休需要……', guideId: 'retirement', t: '11-02 11:00' },
      { role: 'citizen', text: '转人工', t: '11-02 11:05' },
      { role: 'bot', type: 'handoff', text: '正在为您转接人工服务……', t: '11-02 11:05' },
    ],
    handoff: { department: '人社', requested: '11-02 11:05', claimed: '11-02 11:07', closed: '11-02 11:17' },
    rating: { level: 2, department: '人社', t: '11-02 11:20' },
  },
  {
    id: 'c4',
    t: '11-02 15:00',
    guideId: 'id-card-renewal',
    messages: [
      { role: 'citizen', text: '身份证', t: '11-02 15:00' },
      { role: 'bot', type: 'clarify', text: '您想办理的是换领还是补领？', t: '11-02 15:00' },
      { role: 'citizen', text: '到期换领要什么材料', t: '11-02 15:01' },
      { role: 'bot', type: 'answer', text: '换领需要……', guideId: 'id-card-renewal', t: '11-02 15:01' },
    ],
    handoff: { department: '公安', requested: '11-02 15:10', claimed: '11-02 15:16', closed: '11-02 15:46' },
    rating: { level: 4, department: '公安', t: '11-02 15:50' },
  },
  {
    id: 'c5',
    t: '11-03 08:00',
    messages: [
      { role: 'citizen', text: '讲个笑话', t: '11-03 08:00' },
      { role: 'bot', type: 'refusal', text: '我只能回答政务服务方面的问题……', t: '11-03 08:00' },
      { role: 'citizen', text: '第一次考驾照怎么报名', t: '11-03 08:01' },
      { role: 'bot', type: 'no_answer', text: '抱歉……', t: '11-03 08:01' },
    ],
  },
  {
    id: 'c6',
    t: '10-31 23:00',
    guideId: 'id-card-replacement',
    messages: [
      { role: 'citizen', text: '身份证丢了', t: '10-31 23:00' },
      { role: 'bot', type: 'answer', text: '补领……', guideId: 'id-card-replacement', t: '10-31 23:00' },
    ],
    rating: { level: 3, department: '公安', t: '10-31 23:10' },
  },
  {
    id: 'c7',
    t: '11-03 23:30',
    channel: 'wechat',
    guideId: 'retirement',
    messages: [
      { role: 'citizen', text: '退休年龄是多少', t: '11-03 23:30' },
      { role: 'bot', type: 'answer', text: '法定退休年龄……', guideId: 'retirement', t: '11-03 23:30' },
    ],
  },
];

/** Inserts SEED; ratings of 1–2 get an open follow-up due 7 days after the rating. */
export async function seedRecords(db: Kysely<Database>): Promise<void> {
  for (const c of SEED) {
    const created = at(c.t);
    const last = Math.max(created, ...c.messages.map((m) => at(m.t)));
    await db
      .insertInto('conversations')
      .values({
        id: c.id,
        session_key: sessionKey(`session-of-${c.id}`),
        channel: c.channel ?? 'web',
        status: c.handoff?.closed ? 'closed' : 'bot',
        department: c.department ?? null,
        guide_id: c.guideId ?? null,
        state: null,
        contact: null,
        assigned_to: null,
        created_at: created,
        updated_at: last,
        closed_at: null,
      })
      .execute();
    let i = 0;
    for (const m of c.messages) {
      await db
        .insertInto('messages')
        .values({
          id: `${c.id}-m${++i}`,
          conversation_id: c.id,
          role: m.role,
          author: null,
          type: m.type ?? null,
          text: m.text,
          payload: null,
          evidence: m.role === 'bot' ? JSON.stringify({ guideId: m.guideId ?? null, confidence: m.guideId ? 0.9 : 0.2 }) : null,
          intent: null,
          created_at: at(m.t),
        })
        .execute();
    }
    if (c.handoff) {
      const h = c.handoff;
      await db
        .insertInto('handoffs')
        .values({
          id: `${c.id}-h`,
          conversation_id: c.id,
          department: h.department,
          reason: 'handoff',
          priority: 0,
          summary: '{}',
          status: h.closed ? 'closed' : h.claimed ? 'staff' : 'waiting',
          channel: 'web',
          requested_at: at(h.requested),
          claimed_at: h.claimed ? at(h.claimed) : null,
          claimed_by: h.claimed ? 'agent' : null,
          closed_at: h.closed ? at(h.closed) : null,
          closed_by: h.closed ? 'agent' : null,
          left_message: null,
          callback_phone: null,
          note: null,
        })
        .execute();
    }
    if (c.rating) {
      const r = c.rating;
      await db
        .insertInto('ratings')
        .values({ id: `${c.id}-r`, conversation_id: c.id, message_id: null, level: r.level, comment: r.comment ?? null, department: r.department, created_at: at(r.t), updated_at: at(r.t) })
        .execute();
      if (r.level <= 2) {
        await db
          .insertInto('followups')
          .values({
            id: `${c.id}-f`,
            rating_id: `${c.id}-r`,
            conversation_id: c.id,
            department: r.department,
            status: 'open',
            due_at: at(r.t) + 7 * 24 * 3600_000,
            action: null,
            answer: null,
            handled_by: null,
            created_at: at(r.t),
            closed_at: null,
          })
          .execute();
      }
    }
  }
}
