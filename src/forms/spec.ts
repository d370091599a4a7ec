/**
 * Form specs (knowledge/forms/<id>.yaml): the fields an application form needs, how each is
 * asked, and the hints the extractors use to find it in what a citizen says. Validated by zod;
 * every problem is reported with file:line (`npm run kb:check`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Problem } from '../kb/schema.js';

export const FIELD_TYPES = ['name', 'id_number', 'phone', 'date', 'address', 'select', 'text', 'number'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const words = z.array(z.string().trim().min(1).max(20)).max(30);

const optionSchema = z.union([
  z.string().trim().min(1).max(40),
  z.object({ value: z.string().trim().min(1).max(40), synonyms: words.default([]) }).strict(),
]);

export const fieldSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'name must be lower_snake_case, e.g. id_number'),
    type: z.enum(FIELD_TYPES, { message: `type must be one of ${FIELD_TYPES.join(', ')}` }),
    label: z.string().trim().min(2).max(30),
    required: z.boolean().default(true),
    help: z.string().trim().min(4).max(200),
    /** The question the dialogue asks; default: 请告诉我<label>。 */
    ask: z.string().trim().min(4).max(200).optional(),
    /** Words that introduce this field's value in a message (男方, 月租, 经营场所). */
    cues: words.default([]),
    /** select: the choices, each optionally with the words citizens use for it. */
    options: z.array(optionSchema).min(2).max(20).optional(),
    /** date: which way a date without a year leans, and limits. */
    when: z.enum(['past', 'future', 'any']).optional(),
    max_days_ahead: z.number().int().min(0).max(3650).optional(),
    min_days_ahead: z.number().int().min(0).max(3650).optional(),
    workdays_only: z.boolean().optional(),
    /** number: limits and unit. */
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
    unit: z.string().trim().min(1).max(6).optional(),
    /** phone: only a mobile number will do (text messages). */
    mobile_only: z.boolean().optional(),
    /** id_number: the sex and minimum age the applicant must have. */
    sex: z.enum(['male', 'female']).optional(),
    min_age: z.number().int().min(0).max(150).optional(),
    /** text: length limits; `from_opening`: the message that opened the form may be the value. */
    min_length: z.number().int().min(1).max(2000).optional(),
    max_length: z.number().int().min(1).max(5000).optional(),
    from_opening: z.boolean().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const only = (keys: (keyof typeof f)[], type: FieldType) => {
      for (const k of keys) if (f[k] !== undefined && f.type !== type) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" applies only to fields of type ${type}` });
    };
    only(['options'], 'select');
    only(['when', 'max_days_ahead', 'min_days_ahead', 'workdays_only'], 'date');
    only(['min', 'max', 'integer', 'unit'], 'number');
    only(['mobile_only'], 'phone');
    only(['sex', 'min_age'], 'id_number');
    only(['min_length', 'max_length', 'from_opening'], 'text');
    if (f.type === 'select' && !f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select field needs options' });
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) ctx.addIssue({ code: 'custom', path: ['min'], message: 'min is greater than max' });
    if (f.min_days_ahead !== undefined && f.max_days_ahead !== undefined && f.min_days_ahead > f.max_days_ahead) {
      ctx.addIssue({ code: 'custom', path: ['min_days_ahead'], message: 'min_days_ahead is greater than max_days_ahead' });
    }
  });

export const formSpecSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{2,64}$/, 'id must be lower-case letters, digits and dashes'),
    title: z.string().trim().min(2).max(60),
    /** What the assistant says when it starts the form. */
    intro: z.string().trim().min(4).max(300).optional(),
    /** Said after the summary of a complete form (where to take it, what to bring). */
    outro: z.string().trim().min(4).max(300).optional(),
    fields: z.array(fieldSchema).min(1).max(40),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.fields.some((f) => f.required)) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a form needs at least one required field' });
  });

export type FieldSpec = z.output<typeof fieldSchema>;
export type FormSpec = z.output<typeof formSpecSchema>;
export interface SelectOption {
  value: string;
  synonyms: string[];
}

export function optionsOf(f: FieldSpec): SelectOption[] {
  return (f.options ?? []).map((o) => (typeof o === 'string' ? { value: o, synonyms: [] } : o));
}

export interface FormSpecs {
  byId: ReadonlyMap<string, FormSpec>;
  /** The file each spec was read from. */
  files: ReadonlyMap<string, string>;
  problems: Problem[];
}

/** The line of the YAML node at `path`, or of its nearest ancestor that exists. */
function lineAt(doc: Document, lc: LineCounter, path: PropertyKey[], key?: string): number {
  for (let p = [...path]; ; p = p.slice(0, -1)) {
    const node = p.length ? doc.getIn(p as (string | number)[], true) : doc.contents;
    if (key && isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      if (pair && isNode(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
    }
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    if (!p.length) return 1;
  }
}

/** Parses one spec file; problems carry file:line. */
export function parseFormSpec(text: string, file: string): { spec?: FormSpec; problems: Problem[] } {
  const problems: Problem[] = [];
  const err = (line: number, message: string) => problems.push({ file, line, message, severity: 'error' });
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  // The first YAML error only: the ones after it are usually the same mistake seen again.
  if (doc.errors.length) {
    err(lc.linePos(doc.errors[0].pos[0]).line, `bad YAML: ${doc.errors[0].message.split('\n')[0]}`);
    return { problems };
  }
  const raw: unknown = doc.toJS();
  // Duplicate field names, checked on the raw data so they are reported alongside other problems.
  const rawFields = (raw as { fields?: unknown })?.fields;
  if (Array.isArray(rawFields)) {
    const seen = new Map<string, number>();
    rawFields.forEach((f: unknown, i) => {
      const name = (f as { name?: unknown })?.name;
      if (typeof name !== 'string') return;
      if (seen.has(name)) err(lineAt(doc, lc, ['fields', i, 'name']), `"fields.${i}.name": field name "${name}" is used twice (also field ${seen.get(name)! + 1})`);
      else seen.set(name, i);
    });
  }
  const parsed = formSpecSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as PropertyKey[];
      if (issue.code === 'unrecognized_keys') {
        err(lineAt(doc, lc, path, issue.keys[0]), `${path.length ? `"${path.join('.')}": ` : ''}unknown key(s) ${issue.keys.join(', ')}`);
      } else err(lineAt(doc, lc, path), `${path.length ? `"${path.join('.')}"` : 'spec'}: ${issue.message}`);
    }
    return { problems };
  }
  const spec = parsed.data;
  if (spec.id !== basename(file, '.yaml')) {
    err(lineAt(doc, lc, ['id']), `id "${spec.id}" does not match the file name "${basename(file)}"`);
    return { problems };
  }
  return problems.length ? { problems } : { spec, problems };
}

/** Loads every `<root>/forms/*.yaml`; the first root that defines an id wins. */
export function loadFormSpecs(roots: string[]): FormSpecs {
  const byId = new Map<string, FormSpec>();
  const files = new Map<string, string>();
  const problems: Problem[] = [];
  for (const root of roots) {
    const dir = join(root, 'forms');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.yaml')) continue;
      const path = join(dir, name);
      const file = relative(process.cwd(), path) || path;
      const r = parseFormSpec(readFileSync(path, 'utf8'), file);
      problems.push(...r.problems);
      if (r.spec && !byId.has(r.spec.id)) {
        byId.set(r.spec.id, r.spec);
        files.set(r.spec.id, file);
      }
    }
  }
  return { byId, files, problems };
}
