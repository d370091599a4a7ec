/** The fixed section headings of a guide and the aspect keys they map to (DESIGN.md). */
export const ASPECTS = [
  { key: 'conditions', heading: '受理条件', label: '受理条件' },
  { key: 'materials', heading: '申请材料', label: '申请材料' },
  { key: 'process', heading: '办理流程', label: '办理流程' },
  { key: 'time', heading: '办理时限', label: '办理时限' },
  { key: 'fee', heading: '收费标准', label: '收费标准' },
  { key: 'location', heading: '办理地点和时间', label: '办理地点和时间' },
  { key: 'contact', heading: '咨询电话', label: '咨询电话' },
  { key: 'online', heading: '网上办理', label: '网上办理' },
  { key: 'basis', heading: '设定依据', label: '设定依据' },
  { key: 'faq', heading: '常见问题', label: '常见问题' },
  { key: 'special', heading: '特殊群体服务', label: '特殊群体服务' },
] as const;

export type AspectKey = (typeof ASPECTS)[number]['key'];
export const ASPECT_KEYS = ASPECTS.map((a) => a.key) as AspectKey[];
export const HEADING_TO_ASPECT: ReadonlyMap<string, AspectKey> = new Map(ASPECTS.map((a) => [a.heading, a.key]));
export const ASPECT_LABEL: Readonly<Record<AspectKey, string>> = Object.fromEntries(ASPECTS.map((a) => [a.key, a.label])) as Record<
  AspectKey,
  string
>;

/** Sections every guide must have, so a citizen always learns what to bring and where to go. */
export const REQUIRED_ASPECTS: readonly AspectKey[] = ['materials', 'location'];

export function isAspectKey(v: unknown): v is AspectKey {
  return typeof v === 'string' && (ASPECT_KEYS as string[]).includes(v);
}
