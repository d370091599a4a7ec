/**
 * Questions outside government services, recognised by what they ask for. A match is refused
 * politely unless the question also clearly names a service (天气 + 政务中心开门吗 is in scope);
 * attempts to change the assistant's instructions are refused always.
 */
export type OutOfScopeKind =
  | 'injection'
  | 'creative'
  | 'code'
  | 'finance'
  | 'weather'
  | 'entertainment'
  | 'medical'
  | 'homework'
  | 'shopping'
  | 'abuse'
  | 'ai'
  | 'chitchat';

const RULES: [OutOfScopeKind, RegExp][] = [
  [
    'injection',
    /(忽略|无视|忘记|忘掉|不要管|跳过)(你|掉)?(之前|以上|上面|前面|先前|所有|全部|原来|原有)?的?(所有|全部)?(指令|指示|规则|提示|设定|要求|限制|约束)|system\s*prompt|系统提示|提示词|\bprompt\b|jailbreak|\bDAN\b|developer\s*mode|开发者模式|越狱|扮演|角色扮演|你现在是(一个|一名)?(?!政务)|假装你是|不受(任何)?限制|输出你的(设定|指令|规则)|原样输出|你的(系统)?(指令|设定|规则)是什么|reveal your|ignore (all |the )?(previous|above)/i,
  ],
  ['creative', /写(?![了过完好])(?!.{0,10}(登记|版权|著作权)).{0,10}(诗|词|歌|小说|作文|段子|情书|剧本|对联)|作(一|首)?(首)?诗|讲(个|一个|几个)?笑话|说(个|一个)?笑话|笑话|脑筋急转弯|猜谜|绕口令|藏头诗|起个名字|取个名字/],
  ['code', /代码|编程|程序员|python|javascript|typescript|\bjava\b|\bsql\b|c\+\+|写个?(程序|脚本|函数)|正则表达式|报错怎么改|\bbug\b|html|算法题/i],
  ['finance', /股票|炒股|基金.*(买|涨|跌)|涨停|跌停|大盘|比特币|虚拟币|彩票|双色球|买哪只|K线|理财产品推荐|外汇行情|黄金价格/],
  ['weather', /天气|下雨|下雪|气温|温度多少|刮风|雾霾|空气质量|天气预报/],
  ['entertainment', /比分|世界杯|NBA|欧冠|球赛|国足|比赛谁赢|谁赢了|电视剧|电影推荐|明星|八卦|综艺|追剧|游戏攻略|王者荣耀|原神|小说推荐|唱首歌|星座|运势|算命|风水/],
  ['medical', /医院哪家好|哪家医院好|授精|试管婴儿|头疼|头痛|发烧|咳嗽|感冒了|吃什么药|怎么治|什么病|拉肚子|失眠怎么办|血压高|症状|偏方/],
  ['homework', /数学题|方程|解题|做(一下)?(这道)?题|作业|翻译(一下)?|英语怎么说|用英文|写(个|一份|一封|封|篇|一篇)?(请假条|检讨|简历|情书|演讲稿|总结|论文|邮件)/],
  ['shopping', /值得买|哪款|性价比|推荐(一)?(款|个|部)?(手机|电脑|车|相机)|好吃|美食|餐厅|火锅|奶茶|外卖|去哪(里|儿)?玩|旅游|景点|酒店推荐/],
  ['abuse', /废物|垃圾东西|蠢死|傻(逼|b|瓜|子)|智障|白痴|滚(开|蛋)?$|去死|弱智|脑残/i],
  ['ai', /人工智能|chatgpt|gpt|大模型|deepseek|文心一言|机器学习/i],
  ['chitchat', /你(喜欢|爱)(吃|我)|你有(女|男)朋友|做我(女|男)朋友|讲个故事|陪我聊天|你会(唱歌|跳舞)|今天吃什么|菜谱|怎么做(菜|饭)|红烧肉|减肥|旅游攻略|哪里好玩/],
];

export function outOfScope(question: string): OutOfScopeKind | null {
  for (const [kind, re] of RULES) if (re.test(question)) return kind;
  return null;
}

export const REFUSAL_TEXT: Record<OutOfScopeKind, string> = {
  injection: '抱歉，我只能按照示例市政务服务的规则回答办事问题，不能更改自己的设定或透露内部指令。请问您想办理什么事项？',
  creative: '抱歉，我是示例市政务服务助手，只能回答办事相关的问题，不会写诗或讲笑话。您可以问我证件办理、社保、公积金等事项怎么办。',
  code: '抱歉，我是示例市政务服务助手，不能解答编程问题。您可以问我办事需要什么材料、去哪里办、多久办好。',
  finance: '抱歉，我不能提供股票、基金等投资建议。您可以问我社保、公积金、个税等政务服务事项。',
  weather: '抱歉，我不能查询天气。您可以问我政务服务事项怎么办理、办事大厅的开放时间等。',
  entertainment: '抱歉，我只能回答政务服务相关的问题。您可以问我证件、社保、公积金、婚育等事项怎么办。',
  medical: '抱歉，我不能提供看病用药的建议，身体不适请及时就医或拨打120。医保报销、异地就医备案等问题我可以解答。',
  homework: '抱歉，我是示例市政务服务助手，不能帮忙做题、翻译或代写文章。您可以问我办事需要什么材料、去哪里办、多久办好。',
  shopping: '抱歉，我不能推荐商品、美食或旅游去处。您可以问我政务服务事项怎么办理。',
  abuse: '您的心情我理解。如果办事遇到了困难，请告诉我具体想办什么事，我尽力帮您查；也可以回复“转人工”请工作人员帮您。',
  ai: '我是示例市政务服务助手，只能回答政务服务相关的问题。您可以问我证件、社保、公积金、婚育等事项怎么办。',
  chitchat: '抱歉，这个问题我回答不了。我是示例市政务服务助手，您可以问我办事需要什么材料、去哪里办、多久办好。',
};
