import type { Executor } from '../../db/client.js';
import { slot } from '../../platform/module.js';

/** What a later module knows about a viewer and an ask, which the asks module needs (whether they hold a place, so may see a sensitive location). */
export interface AskViewerFacts {
  pledged: boolean;
}

/** Filled by the commitments module: the viewer's facts about one ask. */
export const askViewerFacts = slot<(db: Executor, askId: string, userId: string) => Promise<Partial<AskViewerFacts>>>('asks.viewerFacts');
