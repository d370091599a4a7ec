/** The national five-level 好差评 scale (国办发〔2019〕51号): 5 is best. */
export const LEVEL_NAMES: Record<number, string> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};

export type RatingLevel = 1 | 2 | 3 | 4 | 5;

/** The names as choices, best first (what a channel offers when it asks for a rating). */
export const LEVEL_CHOICES = [5, 4, 3, 2, 1].map((l) => LEVEL_NAMES[l]);

/**
 * A rating given in words, as WeChat citizens answer the prompt: "满意", "非常不满意，排队太久".
 * The message must start with a level's name; what follows is the comment. Longest names first,
 * so 非常不满意 is not read as 不满意 or 满意.
 */
export function ratingFromText(text: string): { level: RatingLevel; comment: string | null } | null {
  const t = text.trim();
  for (const [level, name] of Object.entries(LEVEL_NAMES).sort((a, b) => b[1].length - a[1].length)) {
    if (!t.startsWith(name)) continue;
    const comment = t.slice(name.length).replace(/^[\s,，。.!！:：;；、-]+/, '').trim();
    return { level: Number(level) as RatingLevel, comment: comment || null };
  }
  return null;
}

/** 不满意 and 非常不满意 are 差评: each must be checked, acted on and answered. */
export function isPoor(level: number): boolean {
  return level <= 2;
}

/** How long a rating may be changed after it is first given. */
export const RATING_EDIT_WINDOW_MS = 24 * 3600_000;
