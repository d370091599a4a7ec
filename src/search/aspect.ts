import type { AspectKey } from '../kb/aspects.js';

/**
 * Which section of a guide a question asks about. Cue phrases are matched longest-first; the cue
 * text is also removed from the question before retrieval so that "要多少钱" does not pull in
 * other services' FAQ that happen to say 多少钱.
 */
const CUES: Record<Exclude<AspectKey, 'faq'>, string[]> = {
  materials: ['要带哪些东西', '哪些东西', '什么东西', '啥东西', '要交什么', '要交哪些', '交哪些', '交什么材料', '准备哪些', '要拿什么', '拿什么', '要带什么', '带什么', '带啥', '需要什么材料', '什么材料', '哪些材料', '材料', '资料', '要准备什么', '准备什么', '准备啥', '需要提供什么', '提供什么', '要什么东西', '需要什么证件', '什么证件', '证件', '要啥', '需要什么', '要什么', '带哪些', '复印件', '原件', '照片', '户口本吗', '户口簿吗'],
  conditions: ['什么条件', '啥条件', '条件', '资格', '能不能办', '能办吗', '可以办吗', '能申请吗', '可以申请吗', '谁可以', '哪些人', '什么人可以', '符合', '够不够', '有没有资格', '能不能领', '能领吗', '可以领吗', '要求', '限制', '年龄'],
  process: ['跑几趟', '几趟', '流程', '步骤', '程序', '手续', '怎么办理', '如何办理', '怎么申请', '如何申请', '~怎么弄', '~怎么操作', '~怎么搞', '~咋办', '~咋弄', '~怎么办', '~怎么做', '~如何', '~怎么[领]', '~怎么[提取]', '~怎么[交]', '~怎么[缴]', '~怎么[报]', '~怎么[上]', '~怎么[换]', '~怎么[补]', '~怎么[开]', '~怎么[注销]', '~怎么[登记]', '~怎么[备案]', '~怎么[查]', '~怎么[办]', '~咋[办]'],
  time: ['啥时候', '什么时候', '多久', '多长时间', '时间有多长', '多少天', '几天', '几个工作日', '多快', '时限', '什么时候能拿', '什么时候拿', '什么时候到', '什么时候能办好', '多久能', '多久可以', '要等', '等多久', '期限', '办结', '当天', '加急'],
  fee: ['多少钱', '收费', '收钱', '要钱', '费用', '花多少', '~免费', '工本费', '交钱', '价格', '几块钱', '多少费', '贵不贵', '要不要钱'],
  location: ['在哪里', '在哪儿', '哪里办', '去哪里', '去哪儿', '上哪', '在哪', '哪里', '哪儿', '去哪', '地址', '地点', '什么地方', '窗口', '几点', '上班时间', '办公时间', '开门', '营业时间', '周末', '星期六', '中午'],
  contact: ['电话', '热线', '联系方式', '号码', '打给谁', '咨询方式', '投诉电话'],
  online: ['网上', '线上', '在线', '手机上', '~手机', 'app', 'APP', '小程序', '公众号', '网办', '预约', '网站', '不用跑', '跑一趟', '邮寄'],
  basis: ['依据', '法律', '法规', '哪条规定', '规定', '政策依据', '文件'],
  special: ['~老人', '~老年人', '~残疾', '行动不便', '上门', '绿色通道', '瘫痪', '瘫在床', '起不来', '下不了床', '卧床', '~住院', '去不了', '来不了', '走不动', '~长辈', '~孕妇', '听不见', '看不见', '轮椅'],
};

/**
 * How much a cue speaks for the question. A specific question (what to bring, how long, where)
 * leads; then the steps, asked for as such (流程, 手续); then help for special groups; last the
 * generic "how" (怎么办, 咋办) and words that only hint (老人, 手机), marked "~" above. An answer
 * cued only that weakly may be a FAQ pair that fits better.
 */
const TIER = { specific: 3, steps: 2.5, special: 2, weak: 1 } as const;

/** A cue; the part in [brackets] belongs to the service's name and stays in the query ("怎么[提取]"). */
interface Cue {
  text: string;
  strip: string;
  keep: string;
  aspect: Exclude<AspectKey, 'faq'>;
  tier: number;
}

const ORDERED: Cue[] = Object.entries(CUES)
  .flatMap(([aspect, cues]) =>
    cues.map((raw) => {
      const weak = raw.startsWith('~');
      const c = weak ? raw.slice(1) : raw;
      const m = /^(.*?)\[(.+)\]$/.exec(c);
      const tier = weak ? TIER.weak : aspect === 'process' ? TIER.steps : aspect === 'special' ? TIER.special : TIER.specific;
      return { text: m ? m[1] + m[2] : c, strip: m ? m[1] : c, keep: m ? m[2] : '', aspect: aspect as Cue['aspect'], tier };
    }),
  )
  .sort((a, b) => b.text.length - a.text.length);

const YES_NO = /(能|可以|可不可以|能不能|行不行|让不让|允许|有资格|算不算|符不符合).{0,12}(吗|么|不|没|嘛)?[?？。!！]*$|(能|可以|行)(吗|么|不)[?？。!！]*$/;

export interface AspectDetection {
  aspect: AspectKey | null;
  /** The aspect was only inferred from the form of the question ("能…吗" asks about eligibility). */
  weak?: boolean;
  /** Every aspect cued, in order of appearance. */
  all: AspectKey[];
  /** The question with the cue phrases removed. */
  rest: string;
}

/**
 * Finds the aspect(s) a question asks about. Cue phrases inside a protected term are left alone:
 * 残疾 is a cue for the special-groups section, but not inside 残疾证.
 */
export class AspectDetector {
  private readonly protectedTerms: string[];

  constructor(protectedTerms: Iterable<string> = []) {
    this.protectedTerms = [...new Set(protectedTerms)].filter((t) => t.length > 1).sort((a, b) => b.length - a.length);
  }

  detect(question: string): AspectDetection {
    let rest = question;
    // Spans of protected terms, which a cue may not cut into.
    const guarded: [number, number][] = [];
    for (const term of this.protectedTerms) {
      for (let at = question.indexOf(term); at >= 0; at = question.indexOf(term, at + 1)) guarded.push([at, at + term.length]);
    }
    const cuts = (at: number, len: number) => guarded.some(([a, b]) => b - a > len && at < b && at + len > a);
    const found: { aspect: AspectKey; at: number; tier: number }[] = [];
    for (const cue of ORDERED) {
      let at = rest.indexOf(cue.text);
      while (at >= 0 && cuts(at, cue.text.length)) at = rest.indexOf(cue.text, at + 1);
      if (at < 0) continue;
      found.push({ aspect: cue.aspect, at, tier: cue.tier });
      // Blank the asking words but keep the service's own words; one space per character keeps positions.
      rest = rest.slice(0, at) + ' '.repeat(cue.strip.length) + cue.keep + rest.slice(at + cue.text.length);
    }
    // The strongest cue leads; among equals, the earlier ("在哪里办要带什么" asks both; where leads).
    found.sort((a, b) => b.tier - a.tier || a.at - b.at);
    const all = [...new Set(found.map((f) => f.aspect))];
    const weak = found.length > 0 && found[0].tier === TIER.weak;
    const cleaned = rest.replace(/\s+/g, ' ').trim();
    // A yes/no question with no other cue asks whether one may ("外地户口能交医保吗"): eligibility.
    if (!all.length && YES_NO.test(question)) return { aspect: 'conditions', weak: true, all: ['conditions'], rest: cleaned };
    return { aspect: all[0] ?? null, ...(weak ? { weak } : {}), all, rest: cleaned };
  }
}

const plain = new AspectDetector();

/** Aspect detection without protected terms (for text that has no service words to protect). */
export function detectAspect(question: string): AspectDetection {
  return plain.detect(question);
}
