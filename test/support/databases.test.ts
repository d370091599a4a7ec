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
