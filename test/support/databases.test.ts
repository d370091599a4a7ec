import { describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from './databases.js';

describe.each(DIALECTS)('test database on %s', (dialect) => {
  it('opens with migrations applied and disposes cleanly', async () => {
    const db = await openTestDatabase(dialect);
    try {
      const rows = await db.db.selectFrom('conversations').select('id').execute();
      expect(rows).toEqual([]);
      expect(db.dialect).toBe(dialect);
    } finally {
      await db.dispose();
    }
  });
});

describe('test databases side by side', () => {
  it('opens a PostgreSQL schema while another one with migrations exists (concurrent test runs)', async () => {
    const a = await openTestDatabase('postgres');
    try {
      const b = await openTestDatabase('postgres');
      try {
        expect(await b.db.selectFrom('conversations').select('id').execute()).toEqual([]);
      } finally {
        await b.dispose();
      }
    } finally {
      await a.dispose();
    }
  });
});
