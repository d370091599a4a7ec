import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from './load.js';
import { guidePages } from './page.js';

const kb = loadKnowledgeBase(['test/fixtures/kb-hostile']);
const pages = guidePages(() => kb);

describe('the guide page', () => {
  it('serves its stylesheet unescaped, so the quoted font names in the font rule stay quotes', async () => {
    const res = await pages.request('/guides/web-safety-probe');
    expect(res.status).toBe(200);
    const html = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).toContain('font:18px/1.7 system-ui,"PingFang SC","Microsoft YaHei"');
    expect(style).not.toContain('&quot;');
    expect(style).not.toContain('&gt;');
  });

  it('still escapes every text from the guide (HTML and script in a guide stay text)', async () => {
    const html = await (await pages.request('/guides/web-safety-probe')).text();
    expect(html).not.toMatch(/<(img|script|iframe|svg|b)\b[^>]*(onerror|onload|onmouseover|window\.__xss)/i);
    expect(html).toContain('&lt;img src=x onerror=');
    expect(html.match(/<script/g)).toBeNull();
  });
});
