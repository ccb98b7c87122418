/** What an entry is made of, and the prompts the journal offers. */

export const TITLE_MAX = 120;
export const BODY_MAX = 20000;

/**
 * Prompts offered at the moments they fit: after the community confirmed a commitment, after
 * feedback arrived, and once a week for those who ask. Their words are in locales/.
 */
export const PROMPTS = ['after_confirmation', 'after_feedback', 'weekly', 'open'] as const;
export type Prompt = (typeof PROMPTS)[number];

/** The moment of the person's own record an entry is about. */
export interface MomentLink {
  kind: 'commitment' | 'feedback';
  id: string;
}

/** What an entry holds, all of it sealed together. */
export interface EntryContent {
  title: string | null;
  body: string;
  prompt: Prompt | null;
  link: MomentLink | null;
}

/** An entry as its author reads it. */
export interface Entry extends EntryContent {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}
