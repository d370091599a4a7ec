import { describe, expect, it } from 'vitest';
import { formatProblem, loadKnowledgeBase } from './load.js';

describe('kb:check on a fixture of broken guides', () => {
  const kb = loadKnowledgeBase(['test/fixtures/kb-broken']);
  const lines = kb.problems.map(formatProblem);
  const find = (file: string, text: string) => lines.find((l) => l.includes(file) && l.includes(text));

  it.each([
    ['公安/missing-materials.md:7', 'missing required section "## 申请材料"'],
    ['公安/unknown-heading.md:12', 'unknown section heading "注意事项"'],
    ['公安/unknown-heading.md:18', '"常见问题" needs "### question" headings'],
    ['公安/dup.md:2', 'duplicate id "dup"'],
    ['公安/dup.md:5', 'alias "共用别名" is shared with dup'],
    ['人社/bad-front-matter.md:5', 'front matter "updated"'],
    ['人社/bad-front-matter.md:6', 'unknown front matter key(s) colour'],
    ['人社/no-front-matter.md:1', 'missing front matter'],
    ['人社/wrong-folder.md:12', 'section "申请材料" appears twice (first on line 9)'],
    ['人社/wrong-folder.md:4', 'does not match its folder "人社"'],
    ['人社/wrong-folder.md:6', 'form "no-such-form" has no spec'],
  ])('reports %s: %s', (where, what) => {
    expect(find(where, what), `expected "${where}: … ${what}" among:\n${lines.join('\n')}`).toBeTruthy();
  });

  it('names only real problems (every problem is an expected one)', () => {
    expect(kb.problems.filter((p) => p.severity === 'error')).toHaveLength(12);
  });
});

describe('kb:check on the knowledge base', () => {
  it('finds no problem in knowledge/', () => {
    const kb = loadKnowledgeBase(['knowledge']);
    expect(kb.problems.map(formatProblem)).toEqual([]);
    expect(kb.guides.length).toBeGreaterThan(0);
  });
});
