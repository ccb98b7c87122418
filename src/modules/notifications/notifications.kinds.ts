import { timingSafeEqual } from 'node:crypto';
import { UUID_PATTERN } from '../../platform/ids.js';

/** Every kind of mail a person can turn off, in the order the preferences page lists them. */
export const NOTIFICATION_KINDS = ['commitment_received', 'waitlist_promotion', 'shift_reminder', 'feedback_received', 'organizer_digest'] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Whether a value names a kind. */
export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Computes the keyed signature of one person and kind; `hmac` is `secrets.hmac` with the purpose bound. */
export type UnsubscribeSigner = (value: string) => string;

/** The signed query of an unsubscribe link: whoever holds it may turn this one kind off for this one person. */
export function unsubscribeQuery(sign: UnsubscribeSigner, userId: string, kind: NotificationKind): string {
  return new URLSearchParams({ u: userId, k: kind, s: sign(`${userId}:${kind}`) }).toString();
}

/** Checks an unsubscribe link's parameters; returns the person and kind only when the signature matches. */
export function verifyUnsubscribe(sign: UnsubscribeSigner, query: unknown): { userId: string; kind: NotificationKind } | undefined {
  const q = query !== null && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  const { u, k, s } = q;
  if (typeof u !== 'string' || !UUID_PATTERN.test(u) || !isNotificationKind(k) || typeof s !== 'string' || !HEX64.test(s)) return undefined;
  const expected = Buffer.from(sign(`${u}:${k}`), 'hex');
  return timingSafeEqual(expected, Buffer.from(s, 'hex')) ? { userId: u, kind: k } : undefined;
}
