/** The shapes of an ask that every layer shares: its kinds, priorities and statuses. */

export const ASK_KINDS = ['shift', 'skill', 'supplies', 'money', 'advocacy', 'attend'] as const;
export type AskKind = (typeof ASK_KINDS)[number];

export const PRIORITIES = ['urgent', 'normal', 'ongoing'] as const;
export type AskPriority = (typeof PRIORITIES)[number];

export const ASK_STATUSES = ['draft', 'open', 'paused', 'filled', 'closed'] as const;
export type AskStatus = (typeof ASK_STATUSES)[number];
