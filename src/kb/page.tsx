/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import { ASPECTS } from './aspects.js';
import { sectionBlocks, type Block } from '../answer/blocks.js';
import { displayTitle } from '../answer/compose.js';
import type { KnowledgeBase } from './load.js';
import type { FaqFile, Guide } from './schema.js';
import type { AppEnv } from '../platform/http.js';

/**
 * The page a citation links to: the whole guide, readable on a phone and by a screen reader, with
 * one anchor per section (#fee, #materials …) and per FAQ pair (#faq-2). No script, no external
 * resources; large type for the elderly. Text is rendered by JSX, so it is always escaped.
 */
const STYLE = `
:root{color-scheme:light;--ink:#1a1a1a;--muted:#555;--line:#d6d6d6;--accent:#0b5cad;--bg:#fff}
*{box-sizing:border-box}body{margin:0;font:18px/1.7 system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:46rem;margin:0 auto;padding:1rem 1.25rem 3rem}h1{font-size:1.6rem;line-height:1.3;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:2px solid var(--line)}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
.meta{color:var(--muted);font-size:.95rem}nav ul{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;list-style:none}
nav a{display:inline-block;padding:.3rem .7rem;border:1px solid var(--line);border-radius:.4rem;color:var(--accent);text-decoration:none}
a:focus-visible,nav a:focus-visible{outline:3px solid #f5a623;outline-offset:2px}:target{background:#fff8e1}
li{margin:.25rem 0}.note{color:var(--muted);font-size:.95rem;margin-top:2.5rem}
@media (prefers-color-scheme:dark){:root{--ink:#eee;--muted:#bbb;--line:#444;--accent:#8ec5ff;--bg:#121212}:target{background:#3a3000}}
`;

const Blocks: FC<{ blocks: Block[] }> = ({ blocks }) => (
  <>
    {blocks.map((b) =>
      b.type === 'list' ? (
        b.ordered ? (
          <ol>{b.items.map((i) => <li>{i}</li>)}</ol>
        ) : (
          <ul>{b.items.map((i) => <li>{i}</li>)}</ul>
        )
      ) : b.type === 'heading' ? (
        <h3>{b.text}</h3>
      ) : (
        <p>{b.text}</p>
      ),
    )}
  </>
);

const Layout: FC<{ title: string; children?: unknown }> = ({ title, children }) => (
  <html lang="zh-CN">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title}</title>
      {/* Raw: JSX escapes text children, and &quot; inside <style> is not a quote to CSS, so
          the font rule (its "PingFang SC" …) would be dropped. STYLE is a constant of ours. */}
      <style>{raw(STYLE)}</style>
    </head>
    <body>
      <main>{children as never}</main>
    </body>
  </html>
);

const GuidePage: FC<{ g: Guide }> = ({ g }) => {
  const sections = ASPECTS.filter((a) => a.key === 'faq' ? g.faq.length : g.sections.some((s) => s.aspect === a.key));
  return (
    <Layout title={`${displayTitle(g)} - 办事指南`}>
      <h1>{displayTitle(g)}</h1>
      <p class="meta">
        实施部门：{g.department}
        {g.updated ? ` · 更新于 ${g.updated}` : ''}
        {g.source ? ` · 来源：${g.source}` : ''}
      </p>
      <nav aria-label="本页内容">
        <ul>{sections.map((a) => <li><a href={`#${a.key}`}>{a.heading}</a></li>)}</ul>
      </nav>
      {sections.map((a) =>
        a.key === 'faq' ? (
          <section id="faq" aria-labelledby="h-faq">
            <h2 id="h-faq">常见问题</h2>
            {g.faq.map((p, i) => (
              <div id={`faq-${i}`}>
                <h3>问：{p.question}</h3>
                <Blocks blocks={sectionBlocks(p.answer)} />
              </div>
            ))}
          </section>
        ) : (
          <section id={a.key} aria-labelledby={`h-${a.key}`}>
            <h2 id={`h-${a.key}`}>{a.heading}</h2>
            <Blocks blocks={sectionBlocks(g.sections.find((s) => s.aspect === a.key)!.text)} />
          </section>
        ),
      )}
      {g.online_url ? (
        <p>
          网上办理：<a href={g.online_url} rel="noopener noreferrer">{g.online_url}</a>
        </p>
      ) : null}
      <p class="note">本页内容以实施部门公布的办事指南为准；示例市的地址、电话和时间为演示数据。</p>
    </Layout>
  );
};

const FaqPage: FC<{ f: FaqFile }> = ({ f }) => (
  <Layout title={`${f.title} - 常见问题`}>
    <h1>{f.title}</h1>
    {f.pairs.map((p, i) => (
      <section id={`faq-${i}`}>
        <h2>问：{p.question}</h2>
        <Blocks blocks={sectionBlocks(p.answer)} />
      </section>
    ))}
  </Layout>
);

const NotFound: FC = () => (
  <Layout title="没有找到这份办事指南">
    <h1>没有找到这份办事指南</h1>
    <p>链接可能已经过期。请回到对话里重新提问，或拨打 12345 政务服务便民热线。</p>
  </Layout>
);

/** GET /guides/:id and GET /faq/:id: the human-readable pages that citations link to. */
export function guidePages(knowledge: () => KnowledgeBase) {
  const app = new Hono<AppEnv>();
  app.get('/guides/:id', (c) => {
    const g = knowledge().byId.get(c.req.param('id'));
    return g ? c.html(<GuidePage g={g} />) : c.html(<NotFound />, 404);
  });
  app.get('/faq/:id', (c) => {
    const f = knowledge().faqs.find((x) => x.id === c.req.param('id'));
    return f ? c.html(<FaqPage f={f} />) : c.html(<NotFound />, 404);
  });
  return app;
}
