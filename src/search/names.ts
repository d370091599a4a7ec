/**
 * A ranking of guides by their names alone (title and each alias), over character bigrams.
 * Official names are long and citizens shorten them (残疾证 for 残疾人证, 港澳通行证 for
 * 往来港澳通行证): bigrams match across those differences without the noise bigrams bring to
 * long bodies. It is one more list in the reciprocal-rank fusion, at guide level.
 */
const CJK_RUN = /[\u3400-\u9fff]+|[a-z0-9]+/g;

export function bigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of text.normalize('NFKC').toLowerCase().match(CJK_RUN) ?? []) {
    if (!/[\u3400-\u9fff]/.test(run)) out.push(run);
    else if (run.length === 1) out.push(run);
    else for (let i = 0; i + 2 <= run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
}

export interface NameHit {
  guideId: string;
  score: number;
}

export class NameIndex {
  /** bigram -> [name index, …]; a guide has one name per title or alias. */
  private readonly postings = new Map<string, number[]>();
  private readonly idf = new Map<string, number>();
  private readonly owner: string[] = [];
  private readonly length: number[] = [];
  private readonly avg: number;

  constructor(guides: { id: string; names: string[] }[]) {
    for (const g of guides) {
      for (const name of g.names) {
        const grams = [...new Set(bigrams(name))];
        if (!grams.length) continue;
        const i = this.owner.length;
        this.owner.push(g.id);
        this.length.push(grams.length);
        for (const b of grams) {
          let p = this.postings.get(b);
          if (!p) this.postings.set(b, (p = []));
          p.push(i);
        }
      }
    }
    const n = this.owner.length;
    this.avg = this.length.reduce((s, l) => s + l, 0) / Math.max(1, n);
    for (const [b, p] of this.postings) this.idf.set(b, Math.log(1 + (n - p.length + 0.5) / (p.length + 0.5)));
  }

  /** Guides ranked by their best-matching name (BM25 over bigrams, each bigram once). */
  search(query: string, limit: number): NameHit[] {
    const k1 = 1.2;
    const b = 0.5;
    const scores = new Map<number, number>();
    for (const g of new Set(bigrams(query))) {
      const p = this.postings.get(g);
      if (!p) continue;
      const idf = this.idf.get(g)!;
      for (const i of p) {
        const norm = 1 - b + (b * this.length[i]) / this.avg;
        scores.set(i, (scores.get(i) ?? 0) + (idf * (k1 + 1)) / (1 + k1 * norm));
      }
    }
    const best = new Map<string, number>();
    for (const [i, s] of scores) if (s > (best.get(this.owner[i]) ?? 0)) best.set(this.owner[i], s);
    return [...best].map(([guideId, score]) => ({ guideId, score })).sort((x, y) => y.score - x.score || x.guideId.localeCompare(y.guideId)).slice(0, limit);
  }
}
