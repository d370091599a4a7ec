import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: { PUBLIC_URL: 'https://assistant.example.gov.cn/' } });
});
afterAll(async () => {
  await t?.dispose();
});

describe('form drafts', () => {
  it('link to the guide’s online handling page with the draft id', async () => {
    const conv = await t.services.records.openConversation('s'.repeat(24), 'web');
    const { spec, guide } = t.services.drafts.formOfGuide('legal-aid')!;
    const d = await t.services.drafts.create(conv.id, spec, guide);
    expect(t.services.drafts.handlingUrl(d)).toBe(`https://zwfw.example.gov.cn/guides/legal-aid?draft=${d.row.id}`);
  });

  it('link to PUBLIC_URL/forms/<id> when the guide has no online page', async () => {
    const conv = await t.services.records.openConversation('t'.repeat(24), 'web');
    const spec = t.services.formSpecs.byId.get('legal-aid')!;
    const d = await t.services.drafts.create(conv.id, spec, null);
    expect(t.services.drafts.handlingUrl(d)).toBe(`https://assistant.example.gov.cn/forms/${d.row.id}`);
  });

  it('become complete when every required field has a value, and open again when one is cleared', async () => {
    const conv = await t.services.records.openConversation('u'.repeat(24), 'web');
    const { spec, guide } = t.services.drafts.formOfGuide('residence-permit')!;
    let d = await t.services.drafts.create(conv.id, spec, guide);
    d = await t.services.drafts.patch(d, { name: '张三', id_number: '110101199003071233', phone: '13912345678' });
    expect(d.status).toBe('complete');
    d = await t.services.drafts.patch(d, { phone: null });
    expect(d.status).toBe('open');
    expect((await t.services.records.getDraft(d.row.id))?.status).toBe('open');
  });

  it('only name the form of a guide whose spec exists', () => {
    expect(t.services.drafts.formOfGuide('passport')).toBeNull();
    expect(t.services.drafts.formOfGuide('no-such-guide')).toBeNull();
  });
});
