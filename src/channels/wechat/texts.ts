/** What WeChat users read from the channel itself (not from the dialogue): plain and polite. */
export const EXAMPLES = ['身份证丢了怎么办', '宝宝出生怎么上户口', '租房提取公积金要什么材料'];

const NON_TEXT: Record<string, string> = {
  image: '图片',
  voice: '语音',
  video: '视频',
  shortvideo: '视频',
  emoticon: '表情',
  file: '文件',
  link: '链接',
  location: '位置',
  contact: '名片',
  miniprogram: '小程序',
};

export const wechatTexts = {
  welcome: () =>
    [
      '您好，欢迎关注！我是示例市政务服务智能助手，可以根据官方办事指南告诉您办事要带什么材料、去哪里办、多久能办好、收不收费，还能帮您预填申请表。',
      `请直接发文字问我，比如：${EXAMPLES.map((e) => `“${e}”`).join('、')}。`,
      '需要人工服务，请回复“转人工”。',
    ].join('\n'),
  /** A message the assistant cannot read (picture, voice, sticker, file …). */
  nonText: (kind: string) =>
    `抱歉，我现在只能看懂文字消息，还不能识别${NON_TEXT[kind] ?? '这类消息'}。请用文字告诉我您想办的事，比如“${EXAMPLES[0]}”。需要人工服务，请回复“转人工”。`,
  empty: `请用文字告诉我您想办的事，比如“${EXAMPLES[0]}”。需要人工服务，请回复“转人工”。`,
  tooLong: (max: number) => `您的消息有点长，请分几次发给我，每次不超过 ${max} 个字。`,
  failed: '抱歉，系统暂时出现问题，请稍后再发一次。需要人工服务，请回复“转人工”。',
  /** Over RATE_LIMIT_SESSION_PER_MIN: said in the chat, not refused to WeChat (it would retry and then tell the user the account is broken). */
  tooFast: '您发消息有点快，请等一分钟再发。',
  /** Appended when an answer is longer than one message and the rest cannot be sent. */
  more: (link: string | null) => (link ? `内容较长，完整内容请打开：${link}` : '内容较长，您可以分开问我某一项，比如“要带什么材料”。'),
};
