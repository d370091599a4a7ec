import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The domain dictionary of knowledge/dict/, as plain data (so the edge can bundle it too). */
export interface DomainDictionary {
  /** jieba user-dictionary lines: "word [freq] [tag]". */
  words: string[];
  /** Synonym groups; the first word of each is the form the others fold to. */
  synonyms: string[][];
  stopwords: string[];
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export function parseDictionary(files: { domain?: string; synonyms?: string; stopwords?: string }): DomainDictionary {
  return {
    words: lines(files.domain ?? ''),
    synonyms: lines(files.synonyms ?? '').map((l) => l.split(/\s+/).filter(Boolean)).filter((g) => g.length > 1),
    stopwords: lines(files.stopwords ?? ''),
  };
}

/** Reads dict/ of every knowledge root; later roots add to earlier ones. */
export function loadDictionary(roots: string[]): DomainDictionary {
  const out: DomainDictionary = { words: [], synonyms: [], stopwords: [] };
  for (const root of roots) {
    const read = (name: string) => (existsSync(join(root, 'dict', name)) ? readFileSync(join(root, 'dict', name), 'utf8') : '');
    const d = parseDictionary({ domain: read('domain.txt'), synonyms: read('synonyms.txt'), stopwords: read('stopwords.txt') });
    out.words.push(...d.words);
    out.synonyms.push(...d.synonyms);
    out.stopwords.push(...d.stopwords);
  }
  return out;
}
