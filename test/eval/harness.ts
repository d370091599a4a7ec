/**
 * The evaluation harness: runs labelled questions through the same dialogue engine the API uses
 * (a fresh conversation per question, follow-ups in the same session) and measures retrieval,
 * aspect detection, follow-ups, refusals and intents.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { classifyIntent, intentSignals } from '../../src/dialogue/intent.js';
import type { DialogueEngine } from '../../src/dialogue/engine.js';
import type { Reply } from '../../src/dialogue/reply.js';
import type { KnowledgeBase } from '../../src/kb/load.js';
import type { ConversationRecords } from '../../src/records/store.js';
import { silentLogger } from '../../src/platform/logger.js';
import { Library } from '../../src/search/library.js';
import type { TokenizerOptions } from '../../src/search/tokenizer.js';
import { createServices, type Services } from '../../src/services.js';

export interface Question {
  id: string;
  q: string;
  expect: 'answer' | 'no_answer' | 'clarify';
  guide?: string;
  guides?: string[];
  aspect?: string | string[] | null;
  then?: { q: string; guide?: string; guides?: string[]; aspect?: string | string[] | null }[];
}

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: ${(e as Error).message}`);
      }
    });
}

export interface Metrics {
  questions: number;
  /** Share of answerable questions answered with a citation of the right guide (end to end). */
  answered: number;
  /** Retrieval: the right guide ranked first. */
  hit1: number;
  hit3: number;
  mrr: number;
  aspect: number;
  followups: number;
  followupGuide: number;
  followupAspect: number;
  noAnswer: number;
  /** Out-of-scope questions that got a cited answer. */
  falseAnswers: number;
  falseAnswerRate: number;
  clarify: number;
  clarifyAccuracy: number;
  latencyP50: number;
  latencyP99: number;
  misses: string[];
}

const accepted = (x: { guide?: string; guides?: string[] }) => new Set([...(x.guide ? [x.guide] : []), ...(x.guides ?? [])]);
const aspectOk = (expected: Question['aspect'], got: string | null | undefined) =>
  expected === undefined || (Array.isArray(expected) ? expected.includes(got ?? 'null') || (expected.includes(null as never) && got == null) : (expected ?? null) === (got ?? null));

/**
 * The guide a reply serves: the one an answer cites, or the one whose application form a form
 * reply opens ("我想办个体户" starts the 个体工商户登记 form: the right service, handled).
 */
function servedGuide(services: EvalTarget, reply: Reply): string | undefined {
  if (reply.type === 'answer') return reply.citations[0]?.guideId;
  if (reply.type === 'form' && reply.form) return services.library.kb.guides.find((g) => g.form === reply.form!.formId)?.id;
  return undefined;
}

function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** What the harness asks questions of: the Node services, or the edge worker with the origin's records (test/eval/edge.ts). */
export interface EvalTarget {
  engine: Pick<DialogueEngine, 'handle'>;
  records: Pick<ConversationRecords, 'conversationBySession' | 'listMessages'>;
  library: { kb: Pick<KnowledgeBase, 'byId' | 'guides'> };
}

async function ask(services: EvalTarget, sessionId: string | null, q: string): Promise<{ reply: Reply; ranking: string[]; retrieved: string[]; ms: number }> {
  const t = performance.now();
  const reply = await services.engine.handle({ sessionId, message: q, channel: 'eval' });
  const ms = performance.now() - t;
  const conv = await services.records.conversationBySession(reply.sessionId);
  const msgs = await services.records.listMessages(conv!.id);
  const ev = msgs[msgs.length - 1].evidence as { ranking?: string[] } | null;
  const answered = servedGuide(services, reply);
  // "answered" is the guide actually cited; hit@k and MRR read retrieval's ranking (the cited
  // guide first when the answer is a follow-up on the conversation's guide).
  const retrieved = [...new Set([...(answered ? [answered] : []), ...(ev?.ranking ?? [])])];
  return { reply, ranking: retrieved, retrieved, ms };
}

export async function runQuestions(services: EvalTarget, questions: Question[]): Promise<Metrics> {
  const m = { answered: 0, hit1: 0, hit3: 0, rr: 0, aspectOk: 0, aspectN: 0, n: 0, fu: 0, fuGuide: 0, fuAspect: 0, na: 0, fa: 0, cl: 0, clOk: 0 };
  const misses: string[] = [];
  const lat: number[] = [];
  for (const q of questions) {
    const { reply, ranking, ms } = await ask(services, null, q.q);
    lat.push(ms);
    if (q.expect === 'no_answer') {
      m.na++;
      if (reply.citations.length) {
        m.fa++;
        misses.push(`${q.id} false answer: ${q.q} -> ${reply.citations[0].guideId}`);
      }
      continue;
    }
    if (q.expect === 'clarify') {
      m.cl++;
      const want = accepted(q);
      const ok = reply.type === 'clarify' && [...want].every((g) => reply.suggestions.some((s) => services.library.kb.byId.get(g)?.title === s));
      if (ok) m.clOk++;
      else misses.push(`${q.id} clarify: ${q.q} -> ${reply.type} ${reply.citations[0]?.guideId ?? ''}`);
      continue;
    }
    m.n++;
    const want = accepted(q);
    const cited = servedGuide(services, reply);
    if (cited && want.has(cited)) m.answered++;
    const rank = ranking.findIndex((g) => want.has(g));
    if (rank === 0) m.hit1++;
    if (rank >= 0 && rank < 3) m.hit3++;
    if (rank >= 0) m.rr += 1 / (rank + 1);
    const gotAspect = reply.type === 'answer' ? reply.citations[0]?.section : undefined;
    if (cited && want.has(cited) && q.aspect !== undefined && reply.type === 'answer') {
      m.aspectN++;
      if (aspectOk(q.aspect, gotAspect)) m.aspectOk++;
      else misses.push(`${q.id} aspect: ${q.q} -> ${gotAspect} (want ${JSON.stringify(q.aspect)})`);
    }
    if (!cited || !want.has(cited)) misses.push(`${q.id} guide: ${q.q} -> ${reply.type} ${ranking.slice(0, 3).join(',')} (want ${[...want].join('|')})`);
    let sessionId = reply.sessionId;
    for (const f of q.then ?? []) {
      const r = await ask(services, sessionId, f.q);
      sessionId = r.reply.sessionId;
      lat.push(r.ms);
      m.fu++;
      const fg = servedGuide(services, r.reply);
      const guideOk = !!fg && accepted(f).has(fg);
      if (guideOk) m.fuGuide++;
      if (guideOk && aspectOk(f.aspect, r.reply.citations[0]?.section)) m.fuAspect++;
      if (!guideOk || !aspectOk(f.aspect, r.reply.citations[0]?.section)) {
        misses.push(`${q.id} follow-up: ${q.q} / ${f.q} -> ${r.reply.type} ${fg ?? ''}#${r.reply.citations[0]?.section ?? ''} (want ${[...accepted(f)].join('|')}#${JSON.stringify(f.aspect)})`);
      }
    }
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    questions: m.n,
    answered: r3(m.answered / Math.max(1, m.n)),
    hit1: r3(m.hit1 / Math.max(1, m.n)),
    hit3: r3(m.hit3 / Math.max(1, m.n)),
    mrr: r3(m.rr / Math.max(1, m.n)),
    aspect: r3(m.aspectOk / Math.max(1, m.aspectN)),
    followups: m.fu,
    followupGuide: r3(m.fuGuide / Math.max(1, m.fu)),
    followupAspect: r3(m.fuAspect / Math.max(1, m.fu)),
    noAnswer: m.na,
    falseAnswers: m.fa,
    falseAnswerRate: r3(m.fa / Math.max(1, m.na)),
    clarify: m.cl,
    clarifyAccuracy: r3(m.clOk / Math.max(1, m.cl)),
    latencyP50: r3(percentile(lat, 50)),
    latencyP99: r3(percentile(lat, 99)),
    misses,
  };
}

export interface IntentRow {
  text: string;
  intent: string;
}

/** Intent accuracy per label, through the engine's classifier with its retrieval signal (and the language model's check, when configured). */
export async function runIntents(services: Services, rows: IntentRow[]) {
  const per: Record<string, { n: number; ok: number }> = {};
  const misses: string[] = [];
  let ok = 0;
  for (const r of rows) {
    const analysis = await services.answerer.analyze(r.text);
    let intent = classifyIntent(r.text, intentSignals(analysis.result));
    const checked = services.language ? await services.language.checkIntent({ text: r.text, intent, guideId: null, conversationId: 'eval' }) : null;
    if (checked?.intent) intent = checked.intent;
    const got = intent.name;
    per[r.intent] ??= { n: 0, ok: 0 };
    per[r.intent].n++;
    if (got === r.intent) {
      per[r.intent].ok++;
      ok++;
    } else misses.push(`${r.intent} -> ${got}: ${r.text}`);
  }
  const accuracy = Math.round((ok / rows.length) * 1000) / 1000;
  const perIntent = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { n: v.n, accuracy: Math.round((v.ok / v.n) * 1000) / 1000 }]));
  return { n: rows.length, accuracy, perIntent, misses };
}

/** Services over a given set of knowledge roots, with a throwaway database; `env` adds settings (the LLM_* of `--llm`). */
export async function evalServices(roots: string[], tokenizer?: TokenizerOptions, indexDir?: string, env: Record<string, string | undefined> = {}): Promise<{ services: Services; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-eval-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dir, ...env });
  const library = await Library.open({ roots, tokenizer, indexDir });
  const services = await createServices(config, silentLogger, { library, sqlitePath: join(dir, 'eval.sqlite') });
  return {
    services,
    dispose: async () => {
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
