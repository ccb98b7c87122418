import type { Executor } from '../../db/client.js';
import { slot, type AppContext } from '../../platform/module.js';

/** What blocking a person means to later modules: it runs inside the blocking transaction. */
export type PersonBlocked = (ctx: AppContext, trx: Executor, input: { communityId: string; userId: string; requestId: string }) => Promise<void>;

/** Filled by modules that hold something of the person in the community (their places: commitments). */
export const personBlocked = slot<PersonBlocked>('communities.personBlocked');
