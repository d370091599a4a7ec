import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatPromptTemplate, parseFString } from '@langchain/core/prompts';
import { ConfigError } from '../config.js';

/**
 * The prompt templates in prompts/: plain text files a deployer may edit, with {variable}
 * placeholders (a literal brace is written {{ or }}). Each file must use exactly the variables
 * the code fills; a start-up error names the file and the variable otherwise.
 */
export const PROMPT_VARIABLES = {
  /** The rules of every answer (system message). */
  system: [],
  /** The grounded answer: the guide's sections with their ids, and the question. */
  answer: ['guide_title', 'sections', 'focus', 'question', 'example_id'],
  /** Follow-up rewriting into a standalone question. */
  rewrite: ['guide_title', 'last_topic', 'history', 'question'],
  /** A second opinion on what a message wants. */
  intent: ['guide_title', 'question'],
} as const satisfies Record<string, readonly string[]>;

export type PromptName = keyof typeof PROMPT_VARIABLES;
export type PromptValues<N extends PromptName> = Record<(typeof PROMPT_VARIABLES)[N][number], string>;

export class PromptError extends ConfigError {
  constructor(problems: string[]) {
    super(problems);
    this.name = 'PromptError';
  }
}

export interface Prompts {
  dir: string;
  texts: Record<PromptName, string>;
  /** system + answer, as a LangChain chat prompt. */
  answer: ChatPromptTemplate;
  rewrite: ChatPromptTemplate;
  intent: ChatPromptTemplate;
}

/** The variables a template uses, or the parser's complaint. */
export function templateVariables(text: string): string[] {
  return [...new Set(parseFString(text).flatMap((n) => (n.type === 'variable' ? [n.name] : [])))];
}

/** Reads and validates every prompt; throws one PromptError listing every problem, each with its file. */
export function loadPrompts(dir: string): Prompts {
  const problems: string[] = [];
  const texts = {} as Record<PromptName, string>;
  for (const [name, expected] of Object.entries(PROMPT_VARIABLES) as [PromptName, readonly string[]][]) {
    const file = join(dir, `${name}.txt`);
    if (!existsSync(file)) {
      problems.push(`${file}: missing (every prompt is a file in ${dir}: ${Object.keys(PROMPT_VARIABLES).map((n) => `${n}.txt`).join(', ')})`);
      continue;
    }
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim();
    if (!text) {
      problems.push(`${file}: empty`);
      continue;
    }
    let used: string[];
    try {
      used = templateVariables(text);
    } catch (e) {
      problems.push(`${file}: not a valid template (${(e as Error).message}); write a literal brace as {{ or }}`);
      continue;
    }
    const allowed = expected.length ? expected.map((v) => `{${v}}`).join(', ') : 'none';
    for (const v of used) if (!expected.includes(v)) problems.push(`${file}: unknown variable {${v}} (this prompt can use: ${allowed})`);
    for (const v of expected) if (!used.includes(v)) problems.push(`${file}: missing variable {${v}}`);
    texts[name] = text;
  }
  if (problems.length) throw new PromptError(problems);
  return {
    dir,
    texts,
    answer: ChatPromptTemplate.fromMessages([
      ['system', texts.system],
      ['human', texts.answer],
    ]),
    rewrite: ChatPromptTemplate.fromMessages([['human', texts.rewrite]]),
    intent: ChatPromptTemplate.fromMessages([['human', texts.intent]]),
  };
}
