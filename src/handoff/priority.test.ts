import { describe, expect, it } from 'vitest';
import { bullPriority, mentionsDisability, mentionsElderly, priorityOf } from './priority.js';

describe('handoff priority', () => {
  it('recognises the elderly from what they say', () => {
    for (const s of ['我85岁了，身份证丢了', '帮老人办养老金', '我是老年人，不会用手机', '我妈今年七十多岁', '我父亲 92 周岁', '年纪大了看不清']) expect(mentionsElderly(s), s).toBe(true);
    for (const s of ['我30岁，想办居住证', '孩子5岁上学', '老板拖欠工资', '身份证号码']) expect(mentionsElderly(s), s).toBe(false);
  });

  it('recognises disability', () => {
    for (const s of ['我是残疾人', '我行动不便，能上门办吗', '坐轮椅怎么去大厅', '我是盲人', '听力不好']) expect(mentionsDisability(s), s).toBe(true);
    for (const s of ['身份证丢了', '我要投诉']) expect(mentionsDisability(s), s).toBe(false);
  });

  it('puts the elderly, the disabled and complaints first', () => {
    expect(priorityOf('handoff', ['身份证丢了怎么补办'])).toEqual({ priority: 0, reasons: [] });
    expect(priorityOf('handoff', ['我85岁了，身份证丢了'])).toEqual({ priority: 1, reasons: ['elderly'] });
    expect(priorityOf('complaint', ['窗口工作人员态度差'])).toEqual({ priority: 1, reasons: ['complaint'] });
    expect(priorityOf('complaint', ['我是残疾人，窗口工作人员态度差']).priority).toBe(2);
  });

  it('maps to BullMQ priorities, where 1 is served first', () => {
    expect(bullPriority(3)).toBe(1);
    expect(bullPriority(0)).toBe(4);
    expect(bullPriority(2)).toBeLessThan(bullPriority(1));
    expect(bullPriority(99)).toBe(1);
  });
});
