import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * How much a word says, from jieba's general-corpus IDF table: 的 says little, 护照 a lot, a word
 * the table does not know (上海交通大学, 比特币) the most. Confidence is the share of a question's
 * information a guide accounts for, so a question full of words the guides never use (天气, 股票)
 * scores low, while everyday filler (出去, 玩) barely counts against a good match.
 */
export const UNKNOWN_WEIGHT = 11;
/** Only common words are kept; anything rarer weighs UNKNOWN_WEIGHT. */
const KEEP_BELOW = 10;

export type TermWeights = Map<string, number>;

export function loadGeneralWeights(): TermWeights {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('@node-rs/jieba/package.json')), 'idf.txt');
  const weights: TermWeights = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.lastIndexOf(' ');
    if (i <= 0) continue;
    const v = Number(line.slice(i + 1));
    if (v < KEEP_BELOW) weights.set(line.slice(0, i), Math.round(v * 100) / 100);
  }
  return weights;
}

/**
 * A word the table does not know is either rare (渔船证书, 奖学金) or a fragment jieba made of
 * two common characters (办个, 这换, 能落). Its weight is the mean of its characters' weights plus
 * a little, at most UNKNOWN_WEIGHT: rare characters keep it high, filler characters bring it down.
 */
export function termWeight(weights: TermWeights, term: string): number {
  const known = weights.get(term);
  if (known !== undefined) return known;
  const chars = [...term];
  if (chars.length < 2 || !/[\u3400-\u9fff]/.test(term)) return UNKNOWN_WEIGHT;
  const mean = chars.reduce((s, c) => s + (weights.get(c) ?? UNKNOWN_WEIGHT), 0) / chars.length;
  return Math.min(UNKNOWN_WEIGHT, mean + 1.5);
}
