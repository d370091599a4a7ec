import { z } from 'zod';
import type { AspectKey } from '../aspects.js';
import { GUIDE_ID, type GuideFrontMatter } from '../schema.js';

/**
 * Importer for the Guangdong government service portal export (广东政务服务网, "gdzwfw"):
 * one JSON record per line, field names as the portal publishes them. Values are messy:
 * "无" for empty, nulls, "30(工作日)" for durations, sentences in phone fields.
 */

const text = z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined ? '' : String(v)));

const record = z.looseObject({
  _id: z.object({ $oid: z.string() }).partial().nullish(),
  TASK_CODE: z.string().trim().regex(GUIDE_ID, 'TASK_CODE must be letters and digits'),
  TASK_NAME: text,
  matter_name: text,
  DEPT_NAME: text,
  AREA_CODE_TEXT: text,
  matter_type: text,
  TASK_TYPE_TEXT: text,
  accept_standard: text,
  material_intro: z.union([z.array(z.union([z.string(), z.number(), z.null()])), z.string(), z.null()]).optional(),
  handle_location: text,
  handle_time: text,
  handle_time_limit: text,
  consult_phone: text,
  complain_phone: text,
  charge: text.optional(),
  URL: text,
  online_book: text,
  online_book_addr: text,
  courier_service: text,
  bear_paltform: text,
  service_object_name: z.array(z.string()).nullish(),
});

export type ImportedGuide = { fm: GuideFrontMatter; sections: Partial<Record<AspectKey, string>> };
export type ImportResult = { ok: true; guide: ImportedGuide } | { ok: false; reason: string };

/** "无", "", "null", "/" and the like mean "nothing given". */
function given(v: string): string {
  const t = v.replace(/\s+/g, ' ').trim();
  return /^(无|暂无|null|undefined|-|\/|—|不涉及)?$/i.test(t) ? '' : t;
}

/** "30(工作日)" → "30个工作日"; "0" → "即办"; anything else as written. */
export function duration(v: string): string {
  const t = given(v);
  if (!t) return '';
  const m = /^(\d+(?:\.\d+)?)\s*[(（]\s*(工作日|自然日|天|日|个月|月|年)\s*[)）]$/.exec(t);
  if (m) {
    if (Number(m[1]) === 0) return '即办（当场办结）';
    const unit = m[2] === '工作日' ? '个工作日' : m[2] === '自然日' ? '个自然日' : m[2] === '月' ? '个月' : m[2];
    return `${m[1]}${unit}`;
  }
  return t;
}

/** Breaks run-on regulatory text into one item per line at its own numbering: 1. 2. / （一）（二）. */
export function splitItems(v: string): string {
  return given(v)
    .replace(/\s*(?=(?<![\d.])\d{1,2}[.、．](?!\d))/g, '\n')
    .replace(/\s*(?=（[一二三四五六七八九十]{1,3}）)/g, '\n')
    .replace(/\s*(?=[一二三四五六七八九十]{1,3}、)/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

function dateOfObjectId(oid: string | undefined): string | undefined {
  if (!oid || !/^[0-9a-f]{24}$/i.test(oid)) return undefined;
  const d = new Date(parseInt(oid.slice(0, 8), 16) * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().slice(0, 10);
}

/** Folder-safe department name: the real 实施主体, with path separators replaced. */
export function departmentFolder(name: string): string {
  return name.trim().replace(/[\\/:*?"<>|\s]+/g, '_') || '未注明部门';
}

export function importGdzwfwRecord(raw: unknown, fallbackDate = '2021-01-01'): ImportResult {
  const parsed = record.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { ok: false, reason: `${i.path.join('.') || 'record'}: ${i.message}` };
  }
  const r = parsed.data;
  const title = given(r.TASK_NAME) || given(r.matter_name);
  if (!title) return { ok: false, reason: 'no service name (TASK_NAME and matter_name are empty)' };
  const department = departmentFolder(given(r.DEPT_NAME) || '未注明部门');
  const region = given(r.AREA_CODE_TEXT);

  const sections: Partial<Record<AspectKey, string>> = {};
  const conditions = splitItems(r.accept_standard);
  if (conditions) sections.conditions = conditions;

  const materials = Array.isArray(r.material_intro)
    ? r.material_intro.map((m) => given(String(m ?? ''))).filter(Boolean)
    : given(r.material_intro ?? '') ? [given(r.material_intro ?? '')] : [];
  sections.materials = materials.length
    ? materials.map((m, i) => `${i + 1}. ${m}`).join('\n')
    : '导出数据未列明申请材料，请以网上办理页面或咨询电话的答复为准。';

  const legal = duration(r.handle_time);
  const promised = duration(r.handle_time_limit);
  const time = [legal && `- 法定办结时限：${legal}`, promised && `- 承诺办结时限：${promised}`].filter(Boolean).join('\n');
  if (time) sections.time = time;

  const charge = given(r.charge ?? '');
  if (charge) sections.fee = charge;

  const location = given(r.handle_location).replace(/^办理地点[:：]\s*/, '');
  sections.location = !location
    ? '导出数据未列明办理地点，请拨打咨询电话确认。'
    : /^无线下办理窗口/.test(location)
      ? '本事项无线下办理窗口，请通过网上办理。'
      : `- 办理地点：${location}`;

  const consult = given(r.consult_phone);
  const complain = given(r.complain_phone);
  const contact = [consult && `- 咨询电话：${consult}`, complain && `- 监督投诉电话：${complain}`].filter(Boolean).join('\n');
  if (contact) sections.contact = contact;

  const url = given(r.URL);
  const platform = given(r.bear_paltform);
  const bookAddr = given(r.online_book_addr);
  const online = [
    url && `- 网上办理：${url}`,
    platform && `- 办理平台：${platform}`,
    given(r.online_book) === '是' && (bookAddr ? `- 网上预约：${bookAddr}` : '- 支持网上预约'),
    given(r.courier_service) === '是' && '- 支持快递送达（物流快递）',
  ]
    .filter(Boolean)
    .join('\n');
  if (online) sections.online = online;

  const onlineUrl = /^https?:\/\/\S+$/.test(url) && URL.canParse(url) ? url : undefined;
  const fm: GuideFrontMatter = {
    id: r.TASK_CODE,
    title,
    department,
    category: given(r.matter_type) || given(r.TASK_TYPE_TEXT) || undefined,
    region: region || undefined,
    aliases: [],
    audience: (r.service_object_name ?? []).map((s) => s.trim()).filter(Boolean),
    online_url: onlineUrl,
    updated: dateOfObjectId(r._id?.$oid) ?? fallbackDate,
    source: `广东政务服务网办事指南导出（gdzwfw），事项编码 ${r.TASK_CODE}`,
  };
  return { ok: true, guide: { fm, sections } };
}
