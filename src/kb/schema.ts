import { z } from 'zod';
import type { AspectKey } from './aspects.js';

export const GUIDE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{1,63}$/;

/** Front matter of a guide file. Unknown keys are errors, so a typo cannot pass silently. */
export const guideFrontMatter = z
  .object({
    id: z.string().regex(GUIDE_ID, 'id must be letters, digits and dashes (2–64), e.g. id-card-renewal'),
    title: z.string().trim().min(2).max(200),
    department: z.string().trim().min(1).max(100),
    category: z.string().trim().max(100).optional(),
    region: z.string().trim().max(100).optional(),
    aliases: z.array(z.string().trim().min(1).max(40)).max(10, 'at most 10 aliases').default([]),
    audience: z.array(z.string().trim().min(1)).default([]),
    online_url: z.url({ protocol: /^https?$/ }).optional(),
    updated: z.iso.date('updated must be a date written YYYY-MM-DD'),
    form: z.string().regex(/^[a-z0-9-]+$/, 'form must be the id of a spec in forms/').optional(),
    source: z.string().trim().max(300).optional(),
  })
  .strict();

export type GuideFrontMatter = z.output<typeof guideFrontMatter>;

export const faqFrontMatter = z
  .object({
    id: z.string().regex(GUIDE_ID, 'id must be letters, digits and dashes'),
    title: z.string().trim().min(2).max(200),
    department: z.string().trim().max(100).optional(),
    /** The guide these pairs are about, when they belong to one. */
    guide: z.string().regex(GUIDE_ID).optional(),
    updated: z.iso.date('updated must be a date written YYYY-MM-DD').optional(),
    source: z.string().trim().max(300).optional(),
  })
  .strict();

export interface Section {
  aspect: AspectKey;
  heading: string;
  /** The section body as written (Markdown lists and paragraphs), trimmed. */
  text: string;
  /** 1-based line of the heading in the file. */
  line: number;
}

export interface FaqPair {
  question: string;
  answer: string;
  line: number;
}

export interface Guide extends GuideFrontMatter {
  sections: Section[];
  faq: FaqPair[];
  /** Path of the file the guide came from, relative to the working directory where possible. */
  file: string;
  /** File line of each front-matter key and list item (`aliases.2`), for precise problem reports. */
  lines?: Record<string, number>;
}

export interface FaqFile {
  id: string;
  title: string;
  department?: string;
  guide?: string;
  pairs: FaqPair[];
  file: string;
}

export interface Problem {
  file: string;
  line: number;
  message: string;
  severity: 'error' | 'warning';
}
