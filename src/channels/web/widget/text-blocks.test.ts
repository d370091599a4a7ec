import { describe, expect, it } from 'vitest';
import { blocksToText, sectionBlocks } from '../../../answer/blocks.js';
import { loadKnowledgeBase } from '../../../kb/load.js';
import { replyBlocks, textToBlocks } from './text-blocks.js';

describe('textToBlocks: a reloaded reply laid out as it was sent', () => {
  it('reads headings, numbered and bulleted lists and paragraphs back from plain text', () => {
    const text = '【居民身份证补领 · 收费标准】\n· 工本费每证40元。\n· 挂失不收费。\n办理流程：\n1. 挂失\n2. 申请\n以上内容摘自「居民身份证补领」办事指南。';
    expect(textToBlocks(text)).toEqual([
      { type: 'heading', text: '居民身份证补领 · 收费标准' },
      { type: 'list', ordered: false, items: ['工本费每证40元。', '挂失不收费。'] },
      { type: 'paragraph', text: '办理流程：' },
      { type: 'list', ordered: true, items: ['挂失', '申请'] },
      { type: 'paragraph', text: '以上内容摘自「居民身份证补领」办事指南。' },
    ]);
  });

  it('is the inverse of the server’s blocksToText for every section of every guide', () => {
    const kb = loadKnowledgeBase(['knowledge']);
    let checked = 0;
    for (const g of kb.guides) {
      for (const s of g.sections) {
        const blocks = sectionBlocks(s.text);
        expect(textToBlocks(blocksToText(blocks)), `${g.id}#${s.aspect}`).toEqual(blocks);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('uses the reply’s own blocks when they are well formed, the text otherwise', () => {
    const blocks = [{ type: 'list', ordered: true, items: ['a'] }];
    expect(replyBlocks(blocks, 'ignored')).toBe(blocks);
    expect(replyBlocks([{ type: 'script', text: 'x' }], '· a')).toEqual([{ type: 'list', ordered: false, items: ['a'] }]);
    expect(replyBlocks(undefined, 'hello')).toEqual([{ type: 'paragraph', text: 'hello' }]);
  });
});
