import { describe, expect, it } from 'vitest';
import { checkReply, type SourceSection } from './check.js';

const section = (aspect: SourceSection['aspect'], text: string, anchor: string = aspect): SourceSection => ({
  id: `id-card-renewal#${anchor}`,
  guideId: 'id-card-renewal',
  title: '居民身份证换领',
  aspect,
  anchor,
  heading: aspect,
  text,
});
const sections = new Map(
  [
    section('fee', '- 有效期满换领：工本费20元/证。\n- 证件损坏换领：工本费40元/证。'),
    section('time', '- 法定时限：自受理之日起60日内发放居民身份证。\n- 承诺时限（示例市）：户籍地换领15个工作日；跨省异地换领30个工作日。'),
    section('contact', '- 示例市公安局户政咨询：0000-12345678（示例号码）'),
    section('online', '- 可在“示例市政务服务”网站（https://zwfw.example.gov.cn）预约办理时间。'),
    section('faq', '未满十六周岁的，有效期5年。', 'faq-1'),
  ].map((s) => [s.id, s]),
);

describe('the grounding check', () => {
  it('passes a reply whose ids were given and whose numbers its sections state', () => {
    const r = checkReply('换领身份证的工本费是20元[id-card-renewal#fee]，户籍地换领一般15个工作日办好，法定时限是六十日[id-card-renewal#time]。', sections);
    expect(r).toMatchObject({ passed: true, cited: ['id-card-renewal#fee', 'id-card-renewal#time'], numbers: 3 });
  });

  it('fails a reply citing a section that was not given', () => {
    const r = checkReply('工本费20元[id-card-renewal#fee]，可以加急[passport#time]。', sections);
    expect(r).toMatchObject({ passed: false, reason: 'unknown_citation', detail: 'passport#time' });
  });

  it('fails a fee the cited section does not state', () => {
    const r = checkReply('换领身份证要交工本费30元[id-card-renewal#fee]。', sections);
    expect(r).toMatchObject({ passed: false, reason: 'number_not_in_sections', detail: '30' });
  });

  it('holds a number to the sections cited, not to every section given', () => {
    const r = checkReply('工本费20元，15个工作日办好[id-card-renewal#fee]。', sections);
    expect(r).toMatchObject({ passed: false, reason: 'number_not_in_sections', detail: '15' });
  });

  it('fails numbers written in numerals too', () => {
    expect(checkReply('工本费二十元[id-card-renewal#fee]。', sections).passed).toBe(true);
    expect(checkReply('工本费三十元[id-card-renewal#fee]。', sections)).toMatchObject({ passed: false, detail: '三十' });
    expect(checkReply('未满十八周岁的有效期5年[id-card-renewal#faq-1]。', sections)).toMatchObject({ passed: false, detail: '十八' });
  });

  it('checks phone numbers digit for digit', () => {
    expect(checkReply('可以拨打0000-12345678咨询[id-card-renewal#contact]。', sections).passed).toBe(true);
    expect(checkReply('可以拨打0000-12345670咨询[id-card-renewal#contact]。', sections)).toMatchObject({ passed: false, detail: '12345670' });
  });

  it('fails a URL the sections do not give', () => {
    expect(checkReply('可以在https://zwfw.example.gov.cn预约[id-card-renewal#online]。', sections).passed).toBe(true);
    expect(checkReply('可以在https://evil.example.com预约[id-card-renewal#online]。', sections)).toMatchObject({ passed: false, reason: 'url_not_in_sections' });
  });

  it('fails a reply with no citation, or with nothing but citations', () => {
    expect(checkReply('工本费20元。', sections)).toMatchObject({ passed: false, reason: 'no_citation' });
    expect(checkReply('[id-card-renewal#fee]', sections)).toMatchObject({ passed: false, reason: 'empty' });
  });

  it('while streaming, leaves what touches the end for later and fails a wrong number at once', () => {
    expect(checkReply('工本费是2', sections, { partial: true }).passed).toBe(true);
    expect(checkReply('工本费是20元，[id-card-renewal#fe', sections, { partial: true }).passed).toBe(true);
    expect(checkReply('工本费是25元', sections, { partial: true })).toMatchObject({ passed: false, reason: 'number_not_in_sections', detail: '25' });
    expect(checkReply('详见[passport#fee]', sections, { partial: true })).toMatchObject({ passed: false, reason: 'unknown_citation' });
  });
});
