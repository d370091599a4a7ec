import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/support/app.js';
import type { Reply } from '../dialogue/reply.js';

const ID = '110101199003071233';

let t: TestApp;
beforeAll(async () => {
  // Tuesday 1 December 2026, 10:00 in Shanghai.
  t = await testApp({ clock: () => new Date('2026-12-01T10:00:00+08:00') });
});
afterAll(async () => {
  await t?.dispose();
});

/** A conversation: each message in the same session, the replies in order. */
async function talk(...messages: string[]): Promise<Reply[]> {
  const out: Reply[] = [];
  let sessionId: string | null = null;
  for (const message of messages) {
    const r: Reply = await t.services.engine.handle({ sessionId, message, channel: 'web' });
    sessionId = r.sessionId;
    out.push(r);
  }
  return out;
}
const value = (r: Reply, name: string) => r.form?.fields.find((f) => f.name === name)?.value ?? null;

describe('the slot-filling dialogue', () => {
  it('starts the form of the service named, asks one field at a time, and keeps what the first message said', async () => {
    const [r] = await talk('帮我申请失业金，我叫王芳，10月31号被辞退了');
    expect(r.type).toBe('form');
    expect(r.form?.formId).toBe('unemployment-benefit');
    expect(value(r, 'name')).toBe('王芳');
    expect(value(r, 'separation_date')).toBe('2026年10月31日（星期六）');
    expect(value(r, 'separation_reason')).toBe('单位解除劳动合同或辞退');
    expect(r.text).toContain('请告诉我您的身份证号码');
    expect(r.text).not.toContain('手机号码');
  });

  it('accepts several fields in one message and lets a field be corrected', async () => {
    const [, full, fixed] = await talk('我要办居住证', `我叫张三，身份证${ID}，电话13912345678`, '电话写错了，是13900001111');
    expect(full.form?.complete).toBe(true);
    expect(value(full, 'phone')).toBe('139****5678');
    expect(value(fixed, 'phone')).toBe('139****1111');
    expect(fixed.intent.name).toBe('apply');
    const draft = await t.services.drafts.load(fixed.form!.draftId);
    expect(draft?.values.phone).toBe('13900001111');
  });

  it('asks again for a field named as wrong but not given', async () => {
    const [, , which, fixed] = await talk('我要办居住证', `我叫张三，身份证${ID}，电话13912345678`, '名字写错了', '李四');
    expect(which.text).toContain('请告诉我正确的申请人姓名');
    expect(value(fixed, 'name')).toBe('李四');
  });

  it('answers an unrelated question in the middle, reminds of the form, and comes back to it', async () => {
    const [, , question, back] = await talk('我要办居住证', '张三', '居住证要多少钱', ID);
    expect(question.type).toBe('answer');
    expect(question.citations[0]).toMatchObject({ guideId: 'residence-permit', section: 'fee' });
    expect(question.text).toContain('您的《居住证申领表》还没填完，接下来请告诉我公民身份号码');
    expect(back.type).toBe('form');
    expect(value(back, 'id_number')).toBe('1101**********1233');
    expect(value(back, 'name')).toBe('张三');
  });

  it('cancels on 取消 / 不办了 and erases what was given', async () => {
    const [first, cancelled, after] = await talk('我要办居住证，我叫张三', '不办了', '张三');
    expect(cancelled.form?.status).toBe('cancelled');
    expect(cancelled.text).toContain('已取消');
    expect(after.type).not.toBe('form');
    const draft = await t.services.drafts.load(first.form!.draftId);
    expect(draft?.status).toBe('cancelled');
    expect(draft?.values).toEqual({});
  });

  it('says what is still missing when asked to confirm too early', async () => {
    const [, r] = await talk('我要办居住证，我叫张三', '确认');
    expect(r.type).toBe('form');
    expect(r.form?.status).toBe('open');
    expect(r.text).toContain('还差2项没有填：公民身份号码、联系电话');
  });

  it('re-asks with the reason when a value is wrong, and never stores it', async () => {
    const [, , r] = await talk('我要办居住证', '张三', '1101011990030712');
    expect(r.text).toContain('身份证号应为18位，您输入的是16位');
    const draft = await t.services.drafts.load(r.form!.draftId);
    expect(draft?.values.id_number).toBeUndefined();
  });

  it('offers the options of a select field as suggestions, and takes "1" for the first', async () => {
    const [r, picked] = await talk('帮我申请法律援助，我叫赵六，身份证11010519491231002X，电话13612345678', '1');
    expect(r.suggestions[0]).toBe('请求支付劳动报酬或确认劳动关系');
    expect(value(picked, 'matter_type')).toBe('请求支付劳动报酬或确认劳动关系');
    expect(picked.text).toContain('发生了什么事情');
  });

  it('turns a complaint into a 12345 form with its content already filled', async () => {
    const [r] = await talk('我要投诉窗口工作人员态度差');
    expect(r.intent.name).toBe('complaint');
    expect(r.form?.formId).toBe('hotline-12345');
    expect(value(r, 'category')).toBe('投诉');
    expect(value(r, 'content')).toBe('窗口工作人员态度差');
    expect(r.text).toContain('联系电话');
  });

  it('books a marriage registration on a working day within 30 days', async () => {
    const [r, weekend, monday] = await talk('我要预约结婚登记', '男方张三，身份证110101199003071233，女方李四，身份证440304198512240025，电话13800138000，预约这周六', '下周一');
    expect(r.form?.formId).toBe('marriage-registration');
    expect(weekend.text).toContain('是周末，不办公');
    expect(value(weekend, 'bride_name')).toBe('李四');
    expect(value(monday, 'booking_date')).toBe('2026年12月7日（星期一）');
    expect(monday.form?.complete).toBe(true);
  });

  it('keeps an open draft when another form is started, and continues it when asked again', async () => {
    const [first, other, again] = await talk('我要办居住证，我叫张三', '帮我申请公租房', '我要办居住证');
    expect(other.form?.formId).toBe('public-rental-housing');
    expect(other.text).toContain(`已保存为草稿（编号 ${first.form!.draftId}）`);
    expect(again.form?.formId).toBe('residence-permit');
    expect(again.form?.draftId).toBe(first.form!.draftId);
    expect(value(again, 'name')).toBe('张三');
    expect(again.text).toContain('请告诉我申请人的身份证号码');
  });

  it('leaves a service without a form to the answer path', async () => {
    const [r] = await talk('我要办护照');
    expect(r.type).not.toBe('form');
    expect(r.form).toBeNull();
  });
});
