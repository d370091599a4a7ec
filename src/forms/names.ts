/**
 * Chinese personal names: 2–4 Han characters for most names, or names of ethnic minorities
 * written with the middle dot (阿卜杜·热合曼), up to 20 characters. A name said on its own
 * (when the name is what was asked) must begin with a known surname, so "好的" or "不知道" is
 * never taken for a name; a name introduced by 我叫 / 姓名 may be any well-formed name.
 */

// Common single-character surnames (about 99% of the population), and compound surnames.
const SINGLE =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由';
const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '令狐', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕', '端木', '独孤', '南宫', '西门', '百里', '呼延', '万俟', '申屠', '澹台', '拓跋', '第五', '赫连', '钟离'];
const SINGLE_SET = new Set([...SINGLE]);

export function hasKnownSurname(name: string): boolean {
  return COMPOUND.some((c) => name.startsWith(c) && name.length > c.length) || SINGLE_SET.has(name[0]);
}

// Words that look like 2–4 Han characters but are not names (answers, service words, fillers).
const NOT_A_NAME =
  /^(好的?|是的?|对的?|可以|不是|不对|不知道|不清楚|没有|不要|不用|取消|算了|谢谢|你好|您好|没事|确认|确定|提交|修改|跳过|继续|居住证|身份证|户口本|户口|电话|手机|地址|名字|姓名|申请|办理|本人|自己|我自己|老人|孩子|男方|女方|同意|明白|知道了|什么|为什么|怎么|多少|哪里|哪个|干嘛|上班|工作|今天|明天|后天|下周|周[一二三四五六日]|高龄津贴|失业金|公租房|法律援助|结婚|离婚|投诉|举报|建议|人工|客服|转人工|万[一二三四五六七八九十]|[一二三四五六七八九十百千万两]+)$/;

// Service and request words never found in names (给我爸申请… is not the name 申请高龄).
const SERVICE_WORDS = /申请|办理|预约|登记|补贴|津贴|证明|提取|业务|手续|材料|执照|户口|社保|公积金|医保|进度|投诉|举报/;

const HAN = /^[\u3400-\u9fff]+$/;
const MINORITY = /^[\u3400-\u9fff]{1,10}(·[\u3400-\u9fff]{1,10}){1,3}$/;

export type NameResult = { ok: true; value: string } | { ok: false; error: string };

/** Validates a name; `bare` (said on its own) additionally needs a known surname. */
export function validateName(input: string, opts: { bare?: boolean } = {}): NameResult {
  const v = input.normalize('NFKC').replace(/[\s]/g, '').replace(/[.•・‧∙]/g, '·');
  if (!v) return { ok: false, error: '请告诉我姓名。' };
  if (/\d/.test(v)) return { ok: false, error: '姓名里不应有数字，请核对。' };
  if (MINORITY.test(v)) return v.length <= 20 ? { ok: true, value: v } : { ok: false, error: '姓名太长了，请核对。' };
  if (/^[A-Za-z][A-Za-z .'-]{1,40}$/.test(input.trim())) return { ok: true, value: input.trim() };
  if (!HAN.test(v)) return { ok: false, error: '姓名只能是汉字（少数民族姓名可以用“·”分隔），请核对。' };
  if (v.length < 2) return { ok: false, error: '姓名至少两个字，请告诉我完整的姓名。' };
  if (v.length > 4 && !hasKnownSurname(v.slice(0, 2))) return { ok: false, error: '姓名一般是2到4个字，请核对。' };
  if (v.length > 6) return { ok: false, error: '姓名一般是2到4个字，请核对。' };
  if (NOT_A_NAME.test(v) || SERVICE_WORDS.test(v)) return { ok: false, error: '这看起来不是姓名，请告诉我申请人的姓名。' };
  if (opts.bare && !hasKnownSurname(v)) return { ok: false, error: '请告诉我完整的姓名（姓和名），例如“张三”。' };
  return { ok: true, value: v };
}

// Words that end a name introduced by 我叫 (我叫张三今年八十二 → 张三).
const STOP = /(今年|身份证|电话|手机|住在|住址|地址|家住|现住|户口|联系|号码|是|的|在|要|想|，|,|。|；|;|、|\s)/;

/** The name after an introducing word, cut before words that cannot be part of it. */
export function cutName(after: string): string {
  const s = after.normalize('NFKC').replace(/^[\s:：是叫为]+/, '');
  const m = /^([\u3400-\u9fff]{1,10}(?:·[\u3400-\u9fff]{1,10}){1,3}|[\u3400-\u9fff]{2,4})/.exec(s);
  if (!m) return '';
  let name = m[1];
  if (!name.includes('·')) {
    for (let i = 2; i < name.length; i++) {
      if (STOP.test(name.slice(i))) {
        const j = name.slice(i).search(STOP);
        name = name.slice(0, i + j);
        break;
      }
    }
  }
  return name;
}
