import { z } from '@hono/zod-openapi';

/**
 * Days are counted in China Standard Time (UTC+8, no daylight saving): a service centre's
 * "today" and the by-day figures of its reports follow the local calendar.
 */
export const LOCAL_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 24 * 3600_000;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms of a query value: "2026-11-01" (local midnight), an ISO date-time, or epoch ms. */
export function parseInstant(v: string, end = false): number | null {
  const s = v.trim();
  if (/^\d{10,14}$/.test(s)) return Number(s);
  if (DATE.test(s)) {
    const t = Date.parse(`${s}T00:00:00+08:00`);
    if (Number.isNaN(t)) return null;
    // "to=2026-11-30" means up to the end of that day.
    return end ? t + DAY_MS : t;
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

const instant = (end: boolean) =>
  z
    .string()
    .max(40)
    .transform((v, ctx) => {
      const t = parseInstant(v, end);
      if (t === null) {
        ctx.addIssue({ code: 'custom', message: '时间格式应为 2026-11-01、ISO 时间或毫秒时间戳' });
        return z.NEVER;
      }
      return t;
    });

/** `from` (inclusive) and `to` (exclusive; a plain date includes that whole day). */
export const PeriodQuery = {
  from: instant(false).optional().openapi({ type: 'string', description: 'start: 2026-11-01, an ISO time or epoch ms', example: '2026-11-01' }),
  to: instant(true).optional().openapi({ type: 'string', description: 'end: a date includes that whole day', example: '2026-11-30' }),
};

/** The local calendar day of an instant, "2026-11-01". */
export function localDay(ms: number): string {
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/** ISO time in local time with its offset, for exports: 2026-11-01T09:30:00+08:00. */
export function localIso(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}
