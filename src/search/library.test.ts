import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Library } from './library.js';
import { GovChatRetriever } from './retriever.js';

const tmp = mkdtempSync(join(tmpdir(), 'govchat-lib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('search index build, persistence and retrieval', () => {
  const kbDir = join(tmp, 'knowledge');
  cpSync('knowledge', kbDir, { recursive: true });
  const indexDir = join(tmp, 'index');

  it('builds and persists, then loads the persisted index while the knowledge is unchanged', async () => {
    const first = await Library.open({ roots: [kbDir], indexDir });
    expect(first.loadedFrom).toBe('built');
    expect(first.manifest.guides).toBe(42);
    const second = await Library.open({ roots: [kbDir], indexDir });
    expect(second.loadedFrom).toBe('persisted');
    expect(second.manifest.kbHash).toBe(first.manifest.kbHash);
    const [a, b] = await Promise.all([first.current.search('身份证丢了'), second.current.search('身份证丢了')]);
    expect(b.chunks.map((c) => c.chunk.id)).toEqual(a.chunks.map((c) => c.chunk.id));
  });

  it('rebuilds when a guide changes (content hash)', async () => {
    const file = join(kbDir, 'guides/公安/passport.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('## 收费标准\n', '## 收费标准\n- 测试用的新内容：护照加急服务。\n'));
    const lib = await Library.open({ roots: [kbDir], indexDir });
    expect(lib.loadedFrom).toBe('built');
  });

  it('ranks the right guide first for everyday questions', async () => {
    const lib = await Library.open({ roots: [kbDir], indexDir });
    const top = async (q: string) => (await lib.current.search(q)).guides[0]?.guideId;
    expect(await top('公积金租房提取')).toBe('housing-fund-rent-withdrawal');
    expect(await top('二手房过户')).toBe('property-transfer-registration');
    expect(await top('失业金')).toBe('unemployment-benefit');
  });

  it('rebuild swaps in a new index only when complete; searches keep working meanwhile', async () => {
    const lib = await Library.open({ roots: [kbDir], indexDir });
    const before = lib.current;
    const pending = lib.rebuild();
    expect(lib.current).toBe(before);
    expect((await lib.current.search('护照')).guides[0].guideId).toBe('passport');
    await pending;
    expect(lib.current).not.toBe(before);
  });

  it('is a LangChain retriever returning Documents with metadata', async () => {
    const lib = await Library.open({ roots: [kbDir], indexDir });
    const retriever = new GovChatRetriever({ index: () => lib.current, k: 3 });
    const docs = await retriever.invoke('结婚登记要带什么材料');
    expect(docs).toHaveLength(3);
    expect(docs[0].metadata.guideId).toBe('marriage-registration');
    expect(docs[0].metadata).toHaveProperty('aspect');
    expect(docs[0].pageContent).toContain('结婚登记');
  });
});
