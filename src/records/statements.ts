import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';

const plain = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof Uint8Array;

/**
 * The columns Kysely binds for a row of values (insert values, update set), in its order: those
 * whose value is defined, in key order. `names` goes into a statement's shape, `params` are its values.
 */
export function boundColumns(values: Record<string, unknown>): { names: string; params: unknown[] } {
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  return { names: columns.join(), params: columns.map((c) => values[c]) };
}

/**
 * The statements of every chat turn, their SQL built by Kysely once. Kysely builds and compiles a
 * query anew on each call — for a turn's few small statements that cost about as much as running
 * them — while the SQL of one statement shape never changes. The first call compiles it and checks
 * that the parameters given are Kysely's, in Kysely's order; later calls bind theirs to that SQL.
 */
export class CompiledStatements {
  private readonly sql = new Map<string, string>();

  constructor(private readonly db: Kysely<never>) {}

  /** Runs `build()`'s query. `shape` names its SQL (the same shape, the same SQL); `params` are its values in order. */
  async execute<R>(shape: string, params: readonly unknown[], build: () => Compilable<R>): Promise<QueryResult<R>> {
    // Only plain values are bound as they are; anything else (an expression) is Kysely's to compile.
    if (!params.every(plain)) return this.db.executeQuery(build());
    const sql = this.sql.get(shape);
    if (sql !== undefined) return this.db.executeQuery<R>(CompiledQuery.raw(sql, [...params]) as CompiledQuery<R>);
    const compiled = build().compile();
    if (compiled.parameters.length !== params.length || compiled.parameters.some((p, i) => p !== params[i])) {
      throw new Error(`statement ${shape}: the parameters given are not the ones Kysely binds, in its order`);
    }
    this.sql.set(shape, compiled.sql);
    return this.db.executeQuery<R>(compiled);
  }
}
