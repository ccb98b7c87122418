import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerExportSection } from '../profile/index.js';
import { exportCommitmentsOf } from './commitments.repository.js';
import { registerCommitmentRoutes } from './commitments.routes.js';

/** Every route of the commitments module: committing, withdrawing, confirming, feedback, the ally's list and the API. */
export function registerCommitments(app: FastifyInstance, ctx: AppContext): void {
  registerCommitmentRoutes(app, ctx);
}

export { hasPledgedCommitment, allyRecord, type AllyRecord } from './commitments.service.js';
export { deleteOldIdempotencyKeys } from './commitments.repository.js';
export { nextState, type CommitmentState } from './commitments.policy.js';
export { acknowledge, commit, commitOptions, confirm, getVisibleCommitment, giveFeedback, report, withdraw } from './commitments.service.js';
export type { CommitInput, ConfirmInput, FeedbackKind } from './commitments.form.js';

// Each person's commitments and the feedback they received belong in their data export.
registerExportSection('commitments', async (db, userId) => {
  const { commitments, feedback } = await exportCommitmentsOf(db, userId);
  return { commitments, feedbackReceived: feedback };
});
