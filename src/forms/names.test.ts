import { describe, expect, it } from 'vitest';
import { cutName, validateName } from './names.js';

describe('Chinese names', () => {
  it.each(['张三', '李小明', '欧阳娜娜', '司马相如', '阿卜杜·热合曼', '王秀英'])('accepts %s said on its own', (n) => {
    expect(validateName(n, { bare: true })).toEqual({ ok: true, value: n });
  });

  it.each(['好的', '不知道', '取消', '身份证', '申请高龄', '确认'])('does not take %s for a name', (n) => {
    expect(validateName(n, { bare: true }).ok).toBe(false);
  });

  it('needs a known surname only for a name said on its own', () => {
    expect(validateName('写错了', { bare: true }).ok).toBe(false);
    expect(validateName('扎西', { bare: false })).toEqual({ ok: true, value: '扎西' });
  });

  it('says what is wrong', () => {
    expect(validateName('张')).toEqual({ ok: false, error: '姓名至少两个字，请告诉我完整的姓名。' });
    expect(validateName('张3')).toEqual({ ok: false, error: '姓名里不应有数字，请核对。' });
  });

  it('cuts a name introduced by 我叫 before what follows it', () => {
    expect(cutName('张三今年八十二')).toBe('张三');
    expect(cutName('王小明，身份证')).toBe('王小明');
    expect(cutName('李四的电话')).toBe('李四');
    expect(cutName('阿卜杜·热合曼')).toBe('阿卜杜·热合曼');
  });
});
