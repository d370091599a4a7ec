/**
 * The wire shapes the widget reads (DESIGN.md "HTTP contract"), written out here rather than
 * imported from the server so the bundle depends on JSON only, and lenient where newer servers
 * add fields: everything not needed is optional.
 */
export type Block = { type: 'heading'; text: string } | { type: 'paragraph'; text: string } | { type: 'list'; ordered: boolean; items: string[] };

export interface Citation {
  guideId: string;
  title: string;
  section: string | null;
  url: string;
}

export interface FormField {
  name: string;
  type: string;
  label: string;
  value: string | null;
  valid: boolean;
  missing: boolean;
  error: string | null;
  options: string[] | null;
  required?: boolean;
  help?: string | null;
}

export interface FormView {
  formId: string;
  draftId: string;
  title?: string;
  fields: FormField[];
  complete: boolean;
  confirmed?: boolean;
  /** open | complete | confirmed | cancelled (forms branch). */
  status?: string;
  url: string;
}

export interface HandoffView {
  status: 'waiting' | 'staff' | 'closed';
  department: string;
  position: number | null;
  etaSeconds: number | null;
  leftMessage?: boolean;
}

export interface Reply {
  sessionId: string;
  messageId: string;
  type: string;
  text: string;
  citations: Citation[];
  suggestions: string[];
  form: FormView | null;
  handoff: HandoffView | null;
  blocks?: Block[];
  ratingRequested?: boolean;
}

/** A message as GET /api/sessions/:id/messages and the events stream give it (handoff branch). */
export interface SessionMessage {
  id: string;
  role: 'citizen' | 'bot' | 'staff' | 'system';
  type: string | null;
  text: string;
  author: string | null;
  createdAt?: number;
  citations?: Citation[];
  suggestions?: string[];
  ratingRequested?: boolean;
  handoff?: HandoffView | null;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}
