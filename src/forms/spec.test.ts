import { describe, expect, it } from 'vitest';
import { formatProblem, loadKnowledgeBase } from '../kb/load.js';
import { FIELD_TYPES, loadFormSpecs } from './spec.js';

const REQUIRED_FORMS = [
  'residence-permit',
  'unemployment-benefit',
  'housing-fund-rent-withdrawal',
  'marriage-registration',
  'individual-business-registration',
  'out-of-area-medical-filing',
  'senior-allowance',
  'public-rental-housing',
  'legal-aid',
  'hotline-12345',
];

describe('form specs in knowledge/forms', () => {
  const specs = loadFormSpecs(['knowledge']);
  const kb = loadKnowledgeBase(['knowledge']);

  it('all parse without a problem', () => {
    expect(specs.problems.map(formatProblem)).toEqual([]);
    expect(specs.byId.size).toBeGreaterThanOrEqual(10);
  });

  it.each(REQUIRED_FORMS)('%s exists, is referred to by its guide, and asks for at least a name or content and a phone', (id) => {
    const spec = specs.byId.get(id);
    expect(spec, id).toBeDefined();
    expect(kb.guides.filter((g) => g.form === id).map((g) => g.id)).toEqual([id]);
    const types = spec!.fields.filter((f) => f.required).map((f) => f.type);
    expect(types).toContain('phone');
    for (const f of spec!.fields) expect(FIELD_TYPES).toContain(f.type);
  });
});

describe('kb:check on broken form specs', () => {
  const kb = loadKnowledgeBase(['test/fixtures/forms-broken']);
  const lines = kb.problems.map(formatProblem);
  const find = (where: string, what: string) => lines.find((l) => l.includes(where) && l.includes(what));

  it.each([
    ['forms/bad-yaml.yaml:5', 'bad YAML: Nested mappings are not allowed'],
    ['forms/bad-fields.yaml:8', '"options" applies only to fields of type select'],
    ['forms/bad-fields.yaml:10', 'type must be one of name, id_number, phone'],
    ['forms/bad-fields.yaml:13', 'a select field needs options'],
    ['forms/bad-fields.yaml:17', 'field name "name" is used twice (also field 1)'],
    ['forms/bad-fields.yaml:21', 'unknown key(s) colour'],
    ['forms/wrong-name.yaml:1', 'id "another-id" does not match the file name "wrong-name.yaml"'],
    ['forms/good.yaml:1', 'form "good" is not referred to by any guide'],
  ])('reports %s: %s', (where, what) => {
    expect(find(where, what), `expected "${where}: … ${what}" among:\n${lines.join('\n')}`).toBeTruthy();
  });

  it('reports nothing else', () => {
    expect(kb.problems.filter((p) => p.file.includes('forms'))).toHaveLength(8);
  });
});
