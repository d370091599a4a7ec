import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { KnowledgeBase } from '../kb/load.js';
import { DEFAULT_DEPARTMENT, guidesOf } from '../records/departments.js';
import { canActOn, type StaffPrincipal } from '../staff/principal.js';
import { forbidden } from '../platform/errors.js';

/** Which departments a figure covers; `null` departments: every department. */
export interface DepartmentScope {
  departments: string[] | null;
}

export const ALL_DEPARTMENTS: DepartmentScope = { departments: null };

/**
 * The scope a member of staff may ask for: admins any department or all; agents one of theirs,
 * or by default all of theirs. Asking for another department is refused (403).
 */
export function scopeFor(staff: StaffPrincipal, department?: string): DepartmentScope {
  if (department) {
    if (!canActOn(staff, department)) throw forbidden('您只能查看本部门的数据');
    return { departments: [department] };
  }
  return staff.role === 'admin' ? ALL_DEPARTMENTS : { departments: [...staff.departments] };
}

const inList = (ref: string, values: string[]) => sql<SqlBool>`${sql.ref(ref)} in (${sql.join(values)})`;

/**
 * SQL condition: the conversation (table alias `alias`) belongs to one of the scope's departments.
 * Like departmentOf(): its own department, else its guide's, else 综合. Values are bound, never
 * spliced into the SQL.
 */
export function conversationScope(scope: DepartmentScope, kb: KnowledgeBase, alias = 'c'): RawBuilder<SqlBool> {
  if (!scope.departments) return sql<SqlBool>`1 = 1`;
  const depts = scope.departments;
  if (!depts.length) return sql<SqlBool>`1 = 0`;
  const dep = `${alias}.department`;
  const guide = `${alias}.guide_id`;
  const parts: RawBuilder<SqlBool>[] = [inList(dep, depts)];
  const guides = depts.flatMap((d) => guidesOf(d, kb));
  if (guides.length) parts.push(sql<SqlBool>`(${sql.ref(dep)} is null and ${inList(guide, guides)})`);
  if (depts.includes(DEFAULT_DEPARTMENT)) {
    const known = kb.guides.map((g) => g.id);
    parts.push(
      known.length
        ? sql<SqlBool>`(${sql.ref(dep)} is null and (${sql.ref(guide)} is null or ${sql.ref(guide)} not in (${sql.join(known)})))`
        : sql<SqlBool>`${sql.ref(dep)} is null`,
    );
  }
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** SQL condition on a plain department column (handoffs, ratings, follow-ups). */
export function departmentColumnScope(scope: DepartmentScope, column: string): RawBuilder<SqlBool> {
  if (!scope.departments) return sql<SqlBool>`1 = 1`;
  if (!scope.departments.length) return sql<SqlBool>`1 = 0`;
  return inList(column, scope.departments);
}
