import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAFETY_CATEGORIES, type SafetyCategory } from './filter.js';

export interface WordEntry {
  word: string;
  category: SafetyCategory;
}

/** Parses sensitive.txt: "<category> <word>" a line, # comments; a bad line names its number. */
export function parseWordList(text: string, file = 'sensitive.txt'): WordEntry[] {
  const out: WordEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m || !(SAFETY_CATEGORIES as readonly string[]).includes(m[1])) {
      throw new Error(`${file}:${i + 1}: expected "<${SAFETY_CATEGORIES.join('|')}> <word>", got ${JSON.stringify(line)}`);
    }
    out.push({ category: m[1] as SafetyCategory, word: m[2].trim() });
  });
  return out;
}

/** The word lists of every knowledge root (dict/sensitive.txt), in order; none is an empty list. */
export function loadWordLists(roots: string[]): WordEntry[] {
  return roots.flatMap((root) => {
    const file = join(root, 'dict', 'sensitive.txt');
    return existsSync(file) ? parseWordList(readFileSync(file, 'utf8'), file) : [];
  });
}
