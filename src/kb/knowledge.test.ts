import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from './load.js';

/** The 42 services of the knowledge-content issue: none may silently disappear or thin out. */
const REQUIRED: Record<string, string[]> = {
  公安: ['id-card-renewal', 'id-card-replacement', 'temporary-id-card', 'newborn-hukou', 'hukou-transfer', 'residence-permit', 'no-criminal-record', 'passport', 'hk-macau-permit', 'driving-license-renewal', 'vehicle-annual-inspection'],
  人社: ['social-security-card', 'unemployment-benefit', 'retirement', 'flexible-employment-pension', 'pension-transfer', 'wage-arrears-complaint', 'skill-subsidy'],
  医保: ['resident-medical-insurance', 'out-of-area-medical-filing', 'maternity-allowance'],
  公积金: ['housing-fund-rent-withdrawal', 'housing-fund-purchase-withdrawal', 'housing-fund-loan'],
  市场监管: ['company-registration', 'individual-business-registration', 'food-business-license', 'business-deregistration'],
  税务: ['iit-annual-settlement', 'invoice-application'],
  民政: ['marriage-registration', 'divorce-registration', 'subsistence-allowance', 'senior-allowance'],
  残联: ['disability-certificate'],
  卫健: ['birth-medical-certificate'],
  自然资源: ['property-transfer-registration'],
  住建: ['public-rental-housing', 'construction-permit'],
  教育: ['school-enrollment'],
  司法: ['legal-aid'],
  政务服务: ['hotline-12345'],
};

const kb = loadKnowledgeBase(['knowledge']);

describe('the knowledge base of 示例市', () => {
  it('has all 42 required guides, each in its department', () => {
    const ids = Object.values(REQUIRED).flat();
    expect(ids).toHaveLength(42);
    for (const [department, list] of Object.entries(REQUIRED)) {
      for (const id of list) expect(kb.byId.get(id)?.department, id).toBe(department);
    }
  });

  it.each(Object.values(REQUIRED).flat())('%s has ≥ 7 aspect sections, ≥ 4 aliases and ≥ 3 FAQ pairs', (id) => {
    const g = kb.byId.get(id)!;
    const aspects = new Set(g.sections.map((s) => s.aspect));
    if (g.faq.length) aspects.add('faq');
    expect(aspects.size).toBeGreaterThanOrEqual(7);
    expect(g.aliases.length).toBeGreaterThanOrEqual(4);
    expect(g.faq.length).toBeGreaterThanOrEqual(3);
    expect(aspects).toContain('materials');
    expect(aspects).toContain('location');
  });

  it('has FAQ files for questions that span services', () => {
    const titles = kb.faqs.map((f) => f.title).join(' ');
    for (const topic of ['一网通办', '好差评', '预约']) expect(titles).toContain(topic);
    expect(kb.faqs.flatMap((f) => f.pairs).length).toBeGreaterThanOrEqual(12);
  });
});
