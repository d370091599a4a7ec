import type { Kysely } from 'kysely';
import { notFound } from '../platform/errors.js';
import { newId } from '../records/ids.js';
import type { Database } from '../records/schema.js';

/** One 常用语: a reply an agent inserts with a click, kept per department. */
export interface CannedReply {
  id: string;
  department: string;
  title: string | null;
  text: string;
  createdAt: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface CannedInput {
  department: string;
  title?: string | null;
  text: string;
}

type Row = Database['canned_replies'];

const view = (r: { [K in keyof Row]: Row[K] }): CannedReply => ({
  id: r.id,
  department: r.department,
  title: r.title,
  text: r.text,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at ?? r.created_at),
  updatedBy: r.updated_by,
});

/** 常用语 in the records database, so every instance shares them. */
export class CannedReplies {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Of these departments (null: every department), by department then label. */
  async list(departments: readonly string[] | null): Promise<CannedReply[]> {
    if (departments && !departments.length) return [];
    let q = this.db.selectFrom('canned_replies').selectAll();
    if (departments) q = q.where('department', 'in', departments);
    const rows = await q.orderBy('department').orderBy('title').orderBy('created_at').execute();
    return rows.map(view);
  }

  async get(id: string): Promise<CannedReply> {
    const r = await this.db.selectFrom('canned_replies').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('没有这条常用语');
    return view(r);
  }

  async create(input: CannedInput, by: string): Promise<CannedReply> {
    const at = this.now();
    const row = { id: newId('cr'), department: input.department, title: input.title ?? null, text: input.text, created_at: at, updated_at: at, updated_by: by };
    await this.db.insertInto('canned_replies').values(row).execute();
    return view(row);
  }

  async update(id: string, patch: Partial<CannedInput>, by: string): Promise<CannedReply> {
    const before = await this.get(id);
    await this.db
      .updateTable('canned_replies')
      .set({
        ...(patch.department !== undefined ? { department: patch.department } : {}),
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.text !== undefined ? { text: patch.text } : {}),
        updated_at: this.now(),
        updated_by: by,
      })
      .where('id', '=', before.id)
      .execute();
    return this.get(id);
  }

  async remove(id: string): Promise<CannedReply> {
    const before = await this.get(id);
    await this.db.deleteFrom('canned_replies').where('id', '=', id).execute();
    return before;
  }
}
