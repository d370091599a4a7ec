import { outOfScope } from '../answer/scope.js';
import type { SearchResult } from '../search/hybrid.js';

export type IntentName = 'ask' | 'apply' | 'handoff' | 'complaint' | 'progress' | 'smalltalk' | 'out_of_scope';

export interface Intent {
  name: IntentName;
  confidence: number;
  /** Which rule decided; shown to staff and in the eval. */
  rule: string;
}

/** Signals from retrieval that rules combine with (e.g. does the message name a service?). */
export interface IntentSignals {
  /** Share of the message found in the best guide's title and aliases (0..1). */
  serviceNamed: number;
  /** The message names a service that itself takes complaints (农民工欠薪投诉). */
  complaintService?: boolean;
}

/** The retrieval signals for a message, as the engine and the eval both compute them. */
export function intentSignals(result: SearchResult): IntentSignals {
  const top = result.guides[0];
  if (!top) return { serviceNamed: 0 };
  const isGuide = top.chunks.every((c) => c.chunk.kind !== 'faq-file');
  return { serviceNamed: top.nameCoverage, complaintService: isGuide && top.nameCoverage >= 0.5 && /投诉|举报/.test(top.title) };
}

// Words that contain 人工 but do not ask for a person.
const NOT_A_PERSON = /人工智能|人工授精|人工湖|人工降雨|人工费|人工成本|人工种植|人工繁育|人工养殖|人工林/;
const HANDOFF = [
  /转\s*(人工|仁工|人公|真人|客服|坐席|座席)/,
  /(人工|人公|仁工)\s*(客服|服务|坐席|座席)?/,
  /zhuan\s*ren\s*gong|rengong|\bhuman\b|real person/i,
  /(找|叫|换|来|要|派|接|给我|跟|和)\s*(你们|您们)?(的)?\s*(个|一个|位)?\s*(真人|活人|人工|客服|工作人员|懂的人|人来|人帮|人当面|领导)/,
  /(真人|活人|工作人员|客服)\s*(跟|和|给|帮)\s*我/,
  /(真人|活人|工作人员|客服)\s*(呢|在吗|在不在|说话|讲话|回答|来|帮)/,
  /客服/,
  /(答非所问|听不懂|没听懂|不明白我|说了半天|问你.*遍|车轱辘|自动回复|不要\s*ai|不(想|要|愿意)?(跟|和|要)机器|机器人.{0,4}(不行|没用|听不懂|不懂|换)|你是机器人吧)/i,
  /(领导|负责人|主管)\s*(来|接|出来|过来)/,
  /有没有人(帮|能|可以|在)|有人吗|有人(能|可以|来)?帮(我|忙)|有没有懂的人|找人(当面|来|处理|帮)/,
  /(接通|转接)\s*(工作人员|人工|客服)/,
];

const COMPLAINT_HOW =
  /(怎么|如何|咋|去哪|哪里|在哪|到哪|哪个部门|找谁|向谁|能不能|可以|还能|能)\s*(投诉|举报|反映)|(投诉|举报)(电话|渠道|方式|流程|要什么|需要什么|去哪|怎么)|(投诉|举报|反映)[^。]{0,16}(吗|么|[?？]|会不会|要不要|能不能|是不是|要交钱|收费|多久)/;
const COMPLAINT = [
  /^(我)?(要|想)?(投诉|举报)/,
  /(投诉|举报|曝光)/,
  /(人|窗口|工作人员).{0,12}(不见了|找不到人|脱岗|早退|迟到|玩手机|聊天)|(态度|服务)(差|不好|恶劣|太差|很差)|大呼小叫|不耐烦|刁难|推诿|踢皮球|吃拿卡要|收黑钱|乱收费|送(点)?东西才|不作为|拖拉|没人理|不像话|太差劲|什么效率|效率太低|不公平|黄牛/,
  /(我|提)(有)?(个|一个|几个|条)?(建议|意见)|^建议|建议.{2,}(开放|增加|多设|调大|改进|延长)|我要反映|向你们反映|必须(投诉|反映)/,
];

const PROGRESS = [
  /进度|办到哪|到哪(一)?步|哪个环节|什么状态|审批到|审核到|审到哪/,
  /(受理|办件|申请|业务|流水)(编)?号/,
  /(办好|批|审核通过|审批通过|通过|下来|出来|审查完|到账|好)了?(没|没有|吗|未)/,
  /(什么时候|啥时候|多久)(能)?(下来|到账|批下来|出结果|能拿|可以拿|到)/,
  /(被退回|一直没动静|没有消息|还没消息|结果出来)/,
  /(可以|能)(去)?拿了|去拿了没|能领了没/,
  /\b[A-Z]{1,4}\d{6,}\b|\b\d{10,}\b/,
];
// ID and mobile numbers are what a citizen gives a form, never a case number.
const PERSONAL_NUMBERS = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)/g;
const CASE_DONE_YET = /(审核|审批|审查|批|办)(完|好|下来)了(没|没有|吗|未)|(审核|审批)?通过了?(没|没有)/;
// Someone's own case (我的…, 之前交的…), not how long a service takes in general.
const PROGRESS_CONTEXT = /(我|之前|上周|上个月|前几天|已经|月份|交了|提交|申请的|申请了|办的|交的|受理号|编号)/;

const APPLY_VERBS = '办|办理|申请|申领|领|预约|开始办|登记|报名|注册|开|提取|提|转|转移|报|参保|备案|续|交|填';
const APPLY = [
  new RegExp(`^(我|俺)?(现在|马上|今天)?(就)?(要|想|想要|需要|准备|打算)?(给|帮|替)?(我|俺)?(的)?(爸|妈|父亲|母亲|老人|孩子|小孩|儿子|女儿|家人|老公|老婆)?(${APPLY_VERBS})(一下|一个|个)?(?!理流程|事指南|(?<=办)法)`),
  new RegExp(`(帮|替|给)(我|俺)(的)?(爸|妈|父亲|母亲|老人|孩子|小孩|儿子|女儿|家人)?\\s*(把.{1,12})?(${APPLY_VERBS})`),
  /(现在|马上|立刻|这就)(就)?(办|申请|开始)/,
  /^(好|好的|行|可以|那)?(的)?[，,\s]*(那)?(就)?(帮我|给我)?(办|申请)(吧|一下)/,
  /(填|提交)(一下)?(申请|表)/,
];
// Wanting to start now, even when phrased as a question ("就办这个，怎么开始填").
const APPLY_NOW = /开始填|填表吧|就办这个|现在就办|帮我填/;
// A question about the service rather than a request to start it.
const QUESTION =
  /怎么|怎样|如何|咋|什么|啥|哪些|哪里|哪儿|在哪|多少|多久|多长|几天|几个|几年|几次|几岁|吗|么|呢|能不能|可不可以|是否|有没有|([能会要是管行用])不\1|(能|可以|还能|会).{1,12}不[?？。!！]?$|[?？]|需要.*(材料|证件)|要带|流程|条件|手续/;

// Greetings, thanks, acknowledgements and goodbyes: a message made only of these is small talk.
const SMALLTALK_WORDS =
  /(你好厉害|你真厉害|你好棒|你好|您好|hi|hello|哈喽|嗨|在吗|在不在|早上好|上午好|中午好|下午好|晚上好|晚安|早安|喂|谢谢|多谢|感谢|谢了|thanks|thankyou|thx|辛苦了|辛苦|麻烦你了|麻烦了|打扰了|帮大忙了|好的|好吧|行|ok|okay|嗯+|哦+|知道了|明白了|懂了|收到|了解|没问题|可以了|再见|拜拜|bye|byebye|88|下次见|先这样|哈+|呵+|嘿+|你好厉害|真厉害|太棒了|不错|点赞|你真好|你|您|哈|呀|啊|啦|了|呢|哟|嘛)/gi;
const SMALLTALK_SELF = /你是谁|你叫什么|你是(机器人|人工智能|ai|真人|人)吗|你是什么|你能做什么|你会什么|你能干(什么|啥)|介绍一下你自己|你几岁/i;

/**
 * Routes a message to what the citizen wants. Rules first (a person, a complaint, a case's
 * progress, small talk, unrelated requests), then "apply" when a service is named as something
 * to start now, and "ask" otherwise.
 */
export function classifyIntent(message: string, signals: IntentSignals = { serviceNamed: 0 }): Intent {
  const m = message.trim().normalize('NFKC');
  const compact = m.replace(/\s+/g, '');

  const scope = outOfScope(m);
  if (scope === 'injection') return { name: 'out_of_scope', confidence: 0.95, rule: 'injection' };

  const bare = compact.replace(/[\p{P}\p{S}~～]/gu, '');
  if (SMALLTALK_SELF.test(compact) || (bare && !bare.replace(SMALLTALK_WORDS, ''))) {
    return { name: 'smalltalk', confidence: 0.9, rule: 'smalltalk' };
  }

  if (!NOT_A_PERSON.test(m) && HANDOFF.some((r) => r.test(m))) {
    return { name: 'handoff', confidence: 0.92, rule: 'handoff words' };
  }


  if (COMPLAINT.some((r) => r.test(m))) {
    // "老板拖欠工资怎么投诉" asks how a service works; "我要投诉窗口…" is a complaint.
    if (COMPLAINT_HOW.test(m) && !/^(我)?(要|想)(投诉|举报)/.test(compact)) return { name: 'ask', confidence: 0.75, rule: 'how to complain' };
    // A grievance a named service takes (老板欠工资想投诉 → 农民工欠薪投诉): its guide answers it.
    if (signals.complaintService && !/^(我)?(要|想)(投诉|举报)/.test(compact)) return { name: 'ask', confidence: 0.75, rule: 'complaint service named' };
    return { name: 'complaint', confidence: 0.88, rule: 'complaint words' };
  }

  const p = m.replace(PERSONAL_NUMBERS, ' ');
  const progressHits = PROGRESS.filter((r) => r.test(p)).length;
  // "…审查完了没有" asks about a case already made, even without 我的.
  if (progressHits >= 2 || (progressHits === 1 && (PROGRESS_CONTEXT.test(p) || /进度/.test(p) || CASE_DONE_YET.test(p)))) {
    return { name: 'progress', confidence: 0.85, rule: 'progress words' };
  }

  if (scope && signals.serviceNamed < 0.5) return { name: 'out_of_scope', confidence: 0.85, rule: `out of scope: ${scope}` };

  if (APPLY_NOW.test(compact) || (APPLY.some((r) => r.test(compact)) && !QUESTION.test(m))) {
    return { name: 'apply', confidence: signals.serviceNamed >= 0.3 ? 0.9 : 0.7, rule: 'apply words' };
  }
  return { name: 'ask', confidence: 0.6 + 0.35 * Math.min(1, signals.serviceNamed), rule: 'default' };
}
