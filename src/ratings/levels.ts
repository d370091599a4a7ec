/** The national five-level 好差评 scale (国办发〔2019〕51号): 5 is best. */
export const LEVEL_NAMES: Record<number, string> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};

export type RatingLevel = 1 | 2 | 3 | 4 | 5;

/** 不满意 and 非常不满意 are 差评: each must be checked, acted on and answered. */
export function isPoor(level: number): boolean {
  return level <= 2;
}

/** How long a rating may be changed after it is first given. */
export const RATING_EDIT_WINDOW_MS = 24 * 3600_000;
