/**
 * The demo page at /: a plain city-portal page that embeds the widget with the one line a city
 * site adds, so `npm start` shows the whole thing. Written as a template (not JSX) so the script
 * tag is byte for byte what a city site writes. Its own styles are ordinary page CSS with broad
 * element selectors — the widget must not be affected by them.
 */
const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.7 system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:#1a1a1a;background:#f4f6f9}
header{background:#a8071a;color:#fff;padding:1rem 1.25rem}header p{margin:0;font-size:.95rem}h1{margin:0;font-size:1.6rem}
nav{background:#fff;border-bottom:1px solid #ddd}nav ul{display:flex;flex-wrap:wrap;gap:1rem;max-width:60rem;margin:0 auto;padding:.6rem 1.25rem;list-style:none}
nav a,main a{color:#0b4f96}a:focus-visible{outline:3px solid #ffbf47;box-shadow:0 0 0 6px #0b0c0c}
main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem 6rem}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem;padding:0;list-style:none}
.grid a{display:block;background:#fff;border:1px solid #d6d6d6;border-radius:.5rem;padding:.9rem 1rem;text-decoration:none}
.grid a span{display:block;color:#555;font-size:.9rem}
pre{white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #d6d6d6;border-radius:.4rem;padding:.6rem}
footer{color:#555;font-size:.9rem;text-align:center;padding:1rem}
`;

const SERVICES: [string, string, string][] = [
  ['id-card-replacement', '居民身份证补领', '公安'],
  ['id-card-renewal', '居民身份证换领', '公安'],
  ['newborn-hukou', '新生儿出生登记（报户口）', '公安'],
  ['residence-permit', '居住证申领', '公安'],
  ['housing-fund-rent-withdrawal', '租房提取住房公积金', '公积金'],
  ['social-security-card', '社会保障卡申领', '人社'],
  ['out-of-area-medical-filing', '异地就医备案', '医保'],
  ['senior-allowance', '高龄津贴', '民政'],
  ['marriage-registration', '结婚登记', '民政'],
];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The one line a city site adds (here with the server's own path). */
export const EMBED_TAG = '<script src="/widget.js" data-title="示例市政务服务" defer></script>';

export function demoPage(): string {
  const tiles = SERVICES.map(([id, title, dept]) => `<li><a href="/guides/${esc(id)}">${esc(title)}<span>${esc(dept)}</span></a></li>`).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>示例市人民政府 · 政务服务（演示页）</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>示例市政务服务网</h1><p>演示页面：城市网站只需加入一行代码，右下角即出现“在线咨询”。</p></header>
<nav aria-label="网站导航"><ul><li><a href="/">首页</a></li><li><a href="/guides/hotline-12345">12345 便民热线</a></li><li><a href="/openapi.json">接口文档（OpenAPI）</a></li></ul></nav>
<main>
<h2>热门办事</h2>
<ul class="grid">
${tiles}
</ul>
<h2>嵌入方法</h2>
<p>在网页中加入下面这一行即可（把地址换成本服务的地址）：</p>
<pre><code>${esc('<script src="https://assistant.example.gov.cn/widget.js" data-title="示例市政务服务" defer></script>')}</code></pre>
<p>可选：data-lang="en" 显示英文界面；data-position="left" 放在左下角。</p>
</main>
<footer>示例市人民政府（演示数据，地址和电话均为示例）</footer>
${EMBED_TAG}
</body>
</html>
`;
}
