import type { Block } from '../answer/blocks.js';
import type { Citation, Evidence } from '../answer/answerer.js';
import type { IntentName } from './intent.js';

export type ReplyType = 'answer' | 'clarify' | 'no_answer' | 'refusal' | 'smalltalk' | 'form' | 'handoff' | 'staff';

export interface FormField {
  name: string;
  type: string;
  label: string;
  value: string | null;
  valid: boolean;
  missing: boolean;
  error: string | null;
  options: string[] | null;
  required: boolean;
  help: string | null;
}

export interface FormView {
  formId: string;
  draftId: string;
  title: string;
  fields: FormField[];
  complete: boolean;
  confirmed: boolean;
  /** open | complete | confirmed | cancelled */
  status: 'open' | 'complete' | 'confirmed' | 'cancelled';
  url: string;
}

export interface HandoffView {
  status: 'waiting' | 'staff' | 'closed';
  department: string;
  position: number | null;
  etaSeconds: number | null;
  /** Set when no one can take the conversation now and a message was left instead. */
  leftMessage?: boolean;
}

/** The one reply shape every channel receives (DESIGN.md "HTTP contract"). */
export interface Reply {
  sessionId: string;
  messageId: string;
  type: ReplyType;
  text: string;
  citations: Citation[];
  intent: { name: IntentName; confidence: number };
  suggestions: string[];
  form: FormView | null;
  handoff: HandoffView | null;
  /** Structured layout of `text` (lists, headings) for channels that can render it. */
  blocks: Block[];
  /** Set when the bot asks the citizen to rate the service (好差评). */
  ratingRequested?: boolean;
}

/** What is kept with a bot reply for staff and audits: what retrieval found and why. */
export interface ReplyEvidence {
  evidence: Evidence[];
  confidence: number;
  reason: string;
}
