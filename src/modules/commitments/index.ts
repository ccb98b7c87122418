import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerCommitmentRoutes } from './commitments.routes.js';

/** Every route of the commitments module: committing, withdrawing, confirming, feedback, the ally's list and the API. */
export function registerCommitments(app: FastifyInstance, ctx: AppContext): void {
  registerCommitmentRoutes(app, ctx);
}

export { hasPledgedCommitment, allyRecord, type AllyRecord } from './commitments.service.js';
export { deleteOldIdempotencyKeys } from './commitments.repository.js';
export { nextState, type CommitmentState } from './commitments.policy.js';
