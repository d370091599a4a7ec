import { describe, expect, it } from 'vitest';
import { AspectDetector } from './aspect.js';

const d = new AspectDetector(['残疾证', '残疾人证']);

describe('aspect detection', () => {
  it.each([
    ['身份证丢了补办要多少钱', 'fee'],
    ['结婚登记要带什么', 'materials'],
    ['申请公租房要什么条件', 'conditions'],
    ['护照多久能拿到', 'time'],
    ['在哪里办居住证', 'location'],
    ['社保卡能在手机上办吗', 'online'],
    ['残联电话多少', 'contact'],
    ['低保怎么走程序', 'process'],
  ])('%s → %s', (q, aspect) => {
    expect(d.detect(q).aspect).toBe(aspect);
  });

  it('lets a specific question lead over steps, steps over special groups, special groups over a bare "how"', () => {
    expect(d.detect('老人办身份证要带什么').aspect).toBe('materials');
    expect(d.detect('老伴瘫痪了想吃低保怎么走程序').aspect).toBe('process');
    expect(d.detect('我妈瘫在床上起不来，身份证到期了怎么换').aspect).toBe('special');
  });

  it('marks an aspect cued only by a bare "how" or a hint word as weak', () => {
    expect(d.detect('驾照快到期了人在国外回不来咋办')).toMatchObject({ aspect: 'process', weak: true });
    expect(d.detect('办居住证要什么材料').weak).toBeUndefined();
  });

  it('reads an uncued yes/no question as one about eligibility, weakly', () => {
    expect(d.detect('外地户口在这能交居民医保吗')).toMatchObject({ aspect: 'conditions', weak: true });
    expect(d.detect('我想办个体户').aspect).toBeNull();
  });

  it('never cuts a protected term: 残疾 in 残疾证 is not a special-groups cue', () => {
    expect(d.detect('残疾证怎么办理').aspect).toBe('process');
    expect(d.detect('残疾证怎么办理').rest).toContain('残疾证');
  });

  it('removes the asking words but keeps the service words of a bracketed cue', () => {
    expect(d.detect('公积金怎么提取').rest).toBe('公积金 提取');
  });
});
