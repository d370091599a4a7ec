import { describe, expect, it } from 'vitest';
import { MemorySessionStore, newSession, newSessionId } from './session.js';

describe('MemorySessionStore', () => {
  it('gives back what was saved, untouched by later changes to either copy', async () => {
    const store = new MemorySessionStore();
    const s = newSession(newSessionId(), 'web');
    s.recent = ['身份证怎么补办'];
    await store.save(s);
    s.recent.push('changed after saving');
    const read = (await store.get(s.id))!;
    expect(read.recent).toEqual(['身份证怎么补办']);
    read.recent.push('changed after reading');
    expect((await store.get(s.id))!.recent).toEqual(['身份证怎么补办']);
  });

  it('reads back as Redis would: fields left undefined are absent', async () => {
    const store = new MemorySessionStore();
    const s = { ...newSession(newSessionId(), 'web'), abuseCount: undefined };
    await store.save(s);
    expect(await store.get(s.id)).toEqual(JSON.parse(JSON.stringify(s)));
    expect(Object.keys((await store.get(s.id))!)).not.toContain('abuseCount');
  });

  it('forgets a session idle past its time, and the least recently used beyond its size', async () => {
    const store = new MemorySessionStore(2, 1000);
    const old = { ...newSession(newSessionId(), 'web'), updatedAt: Date.now() - 2000 };
    await store.save(old);
    expect(await store.get(old.id)).toBeNull();
    const [a, b, c] = [newSession(newSessionId(), 'web'), newSession(newSessionId(), 'web'), newSession(newSessionId(), 'web')];
    await store.save(a);
    await store.save(b);
    await store.get(a.id); // a is now the more recently used
    await store.save(c);
    expect([!!(await store.get(a.id)), await store.get(b.id), !!(await store.get(c.id))]).toEqual([true, null, true]);
  });
});
