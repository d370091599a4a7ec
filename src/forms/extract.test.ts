import { describe, expect, it } from 'vitest';
import { extractFields, fieldNamed, type ExtractOptions } from './extract.js';
import { loadFormSpecs } from './spec.js';

const specs = loadFormSpecs(['knowledge']).byId;
const TODAY = { y: 2026, m: 12, d: 1 };
const spec = (id: string) => specs.get(id)!;

/** name → value or "!error" for every field the message carries. */
function extract(formId: string, message: string, opts: Partial<ExtractOptions> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const x of extractFields(message, spec(formId), { today: TODAY, ...opts })) out[x.field.name] = x.result.ok ? x.result.value : `!${x.result.error}`;
  return out;
}

describe('finding field values in a message', () => {
  it('takes several fields from one message', () => {
    expect(extract('residence-permit', '我叫张三，身份证110101199003071233，电话13912345678')).toEqual({
      name: '张三',
      id_number: '110101199003071233',
      phone: '13912345678',
    });
  });

  it('takes numbers typed with spaces, full-width digits and +86', () => {
    expect(extract('residence-permit', '身份证 110101 19900307 1233 手机+86 139 1234 5678')).toEqual({ id_number: '110101199003071233', phone: '13912345678' });
    expect(extract('residence-permit', '１３９１２３４５６７８')).toEqual({ phone: '13912345678' });
  });

  it('reports a wrong value with the reason instead of taking it', () => {
    expect(extract('residence-permit', '110101199003071234')).toEqual({ id_number: '!身份证号第18位校验不符，请核对。' });
    expect(extract('residence-permit', '1101011990030712', { asking: 'id_number' })).toEqual({ id_number: '!身份证号应为18位，您输入的是16位，请核对。' });
    expect(extract('residence-permit', '1391234567', { asking: 'phone' })).toEqual({ phone: '!手机号码应为11位，您输入的是10位，请核对。' });
  });

  it('takes a bare name only when the name was asked for', () => {
    expect(extract('residence-permit', '张三', { asking: 'name' })).toEqual({ name: '张三' });
    expect(extract('residence-permit', '我是李四。', { asking: 'name' })).toEqual({ name: '李四' });
    expect(extract('residence-permit', '张三', { asking: 'phone' })).toEqual({});
    expect(extract('residence-permit', '周一鸣', { asking: 'name' })).toEqual({ name: '周一鸣' });
  });

  it('routes two values of one type by their cues (男方 / 女方)', () => {
    expect(extract('marriage-registration', '男方张三 身份证110101199003071233，女方李四，身份证440304198512240025')).toEqual({
      groom_name: '张三',
      groom_id: '110101199003071233',
      bride_name: '李四',
      bride_id: '440304198512240025',
    });
  });

  it('checks the rules a spec sets on an ID number (sex, minimum age)', () => {
    expect(extract('marriage-registration', '男方身份证440304198512240025')).toEqual({
      groom_id: '!这个身份证号显示的性别是女，和“男方身份证号码”不一致，请核对是否填反了。',
    });
    expect(extract('senior-allowance', '老人身份证110101199003071233')).toEqual({ elder_id: '!按这个身份证号，老人现在36周岁，未满80周岁，不符合办理条件，请核对。' });
  });

  it('reads dates against today and the field limits', () => {
    expect(extract('marriage-registration', '我要预约结婚登记 下周二')).toEqual({ booking_date: '2026-12-08' });
    expect(extract('marriage-registration', '预约这周六')).toEqual({ booking_date: '!2026年12月5日（星期六）是周末，不办公，请换一个周一到周五的日期。' });
    expect(extract('marriage-registration', '预约2027年3月1日')).toMatchObject({ booking_date: expect.stringMatching(/^!2027年3月1日（星期一）太远了，只能选30天以内/) });
    expect(extract('unemployment-benefit', '我10月31号被辞退了')).toEqual({ separation_date: '2026-10-31', separation_reason: '单位解除劳动合同或辞退' });
  });

  it('takes amounts only with their cue or when asked, including Chinese numerals', () => {
    expect(extract('housing-fund-rent-withdrawal', '月租三千五，租的公租房')).toEqual({ monthly_rent: '3500', housing_type: '公共租赁住房' });
    expect(extract('public-rental-housing', '4', { asking: 'household_size' })).toEqual({ household_size: '4' });
    expect(extract('public-rental-housing', '一家三口')).toEqual({ household_size: '3' });
    expect(extract('public-rental-housing', '20', { asking: 'household_size' })).toEqual({ household_size: '!“共同申请家庭人数”不能多于12人，请核对。' });
  });

  it('takes addresses after 住在 / the field cue, or said on their own when asked', () => {
    expect(extract('residence-permit', '住在示例市中心区人民路100号3栋201室')).toEqual({ address: '示例市中心区人民路100号3栋201室' });
    expect(extract('senior-allowance', '他户口在示例市东区幸福街8号，电话0755-26881234')).toEqual({ hukou_address: '示例市东区幸福街8号', phone: '0755-26881234' });
    expect(extract('individual-business-registration', '示例市中心区人民路5号', { asking: 'business_address' })).toEqual({ business_address: '示例市中心区人民路5号' });
    expect(extract('individual-business-registration', '不知道', { asking: 'business_address' })).toMatchObject({ business_address: expect.stringMatching(/^!/) });
  });

  it('picks select options by synonym, or by number when the choice was asked', () => {
    expect(extract('residence-permit', '我在这边上班')).toEqual({ basis: '合法稳定就业' });
    expect(extract('legal-aid', '2', { asking: 'matter_type' })).toEqual({ matter_type: '工伤、交通事故、医疗事故人身损害赔偿' });
    expect(extract('legal-aid', '第二个', { asking: 'matter_type' })).toEqual({ matter_type: '工伤、交通事故、医疗事故人身损害赔偿' });
    expect(extract('legal-aid', '卖菜', { asking: 'matter_type' })).toMatchObject({ matter_type: expect.stringMatching(/^!请从这些选项中选一个/) });
  });

  it('keeps the opening message of a complaint as its content', () => {
    expect(extract('hotline-12345', '我要投诉窗口工作人员态度差，昨天在政务服务中心', { opening: true })).toEqual({
      category: '投诉',
      content: '窗口工作人员态度差，在政务服务中心',
      occurred_on: '2026-11-30',
    });
    expect(extract('hotline-12345', '我要投诉', { opening: true })).toEqual({ category: '投诉' });
  });

  it('sends a correction to the field it names', () => {
    const s = spec('residence-permit');
    expect(fieldNamed('电话写错了', s)?.name).toBe('phone');
    expect(fieldNamed('身份证号不对', s)?.name).toBe('id_number');
    expect(fieldNamed('女方身份证填错了', spec('marriage-registration'))?.name).toBe('bride_id');
    expect(extract('residence-permit', '名字写错了，是李四', { target: 'name', filled: new Set(['name']) })).toEqual({ name: '李四' });
    expect(extract('residence-permit', '电话写错了，是13900001111', { target: 'phone', filled: new Set(['phone']) })).toEqual({ phone: '13900001111' });
  });

  it('does not take a question about another service as a free-text answer', () => {
    expect(extract('legal-aid', '公积金怎么提取', { asking: 'case_summary', elsewhere: true })).toEqual({});
    expect(extract('legal-aid', '老板欠我三个月工资不给', { asking: 'case_summary' })).toMatchObject({ case_summary: '老板欠我三个月工资不给' });
  });
});
