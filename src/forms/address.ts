/**
 * Addresses: free text, but recognisably a place — it names at least one administrative or
 * street-level unit (省, 市, 区, 县, 镇, 街道, 村, 路, 街, 号, 小区, 栋, 单元, 室 …).
 */
export const PLACE_MARKER = /省|市|区|县|旗|镇|乡|街道|村|组|社区|路|街|大道|道|巷|弄|胡同|号|里|小区|花园|苑|庭|府|城|大厦|公寓|广场|栋|幢|座|单元|室|楼|层/;

export type AddressResult = { ok: true; value: string } | { ok: false; error: string };

export function validateAddress(input: string): AddressResult {
  const v = input
    .normalize('NFKC')
    .trim()
    .replace(/^(我)?(现在)?(住在|住|家住|居住在|地址是|住址是|在)\s*/, '')
    .replace(/[。！!，,；;]+$/, '')
    .replace(/\s+/g, ' ');
  if (v.length < 5) return { ok: false, error: '地址太简单了，请写到街道（路）和门牌号，例如“示例市中心区人民路100号3栋201室”。' };
  if (v.length > 120) return { ok: false, error: '地址太长了，请只写省市区、街道（路）和门牌号。' };
  if (!PLACE_MARKER.test(v)) return { ok: false, error: '这看起来不像地址，请写明区、街道（路）和门牌号，例如“示例市中心区人民路100号”。' };
  if (/^\d+$/.test(v)) return { ok: false, error: '请写完整的地址，包括区、街道（路）和门牌号。' };
  return { ok: true, value: v };
}
