import { fill, type ModuleDefinition } from '../../platform/module.js';
import { askViewerFacts } from '../asks/index.js';
import { personBlocked } from '../communities/index.js';
import { commitmentsApi } from './commitments.openapi.js';
import { deleteOldIdempotencyKeys, exportCommitmentsOf, hasPledge } from './commitments.repository.js';
import { registerCommitmentRoutes } from './commitments.routes.js';
import { endCommitmentsInCommunity, leaveCommitments } from './commitments.service.js';

/** Committing, withdrawing, confirming (one or many), feedback, the ally's list and the API. */
export const commitmentsModule: ModuleDefinition = {
  name: 'commitments',
  routes: registerCommitmentRoutes,
  api: commitmentsApi,
  maintenance: [deleteOldIdempotencyKeys],
  accountLinks: [{ href: '/account/commitments', label: 'account.hub.link.commitments', order: 10 }],
  // Each person's commitments and the feedback they received belong in their data export.
  exportSection: async (db, userId) => {
    const { commitments, feedback } = await exportCommitmentsOf(db, userId);
    return { commitments, feedbackReceived: feedback };
  },
  // Account deletion: live places end and their lines move up; confirmed work is kept under "a former ally" or deleted, as the person chose.
  deletion: (trx, userId, mode, ctx) => leaveCommitments(ctx, trx, userId, mode),
  fills: [
    fill(askViewerFacts, async (db, askId, userId) => ({ pledged: await hasPledge(db, askId, userId) })),
    // Blocking someone ends their places and places in line in that community.
    fill(personBlocked, (ctx, trx, input) => endCommitmentsInCommunity(ctx, trx, input)),
  ],
};

export { allyRecord, type AllyRecord } from './commitments.service.js';
export { nextState, type CommitmentState } from './commitments.policy.js';
export { acknowledge, commit, commitOptions, confirm, getVisibleCommitment, giveFeedback, report, withdraw } from './commitments.service.js';
export type { CommitInput, ConfirmInput, FeedbackKind } from './commitments.form.js';
export { ownMoment, recentMoments, type Moment } from './commitments.repository.js';
