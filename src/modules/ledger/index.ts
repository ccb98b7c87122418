import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerLedgerRoutes } from './ledger.routes.js';

/** Every route of the ledger module: a community's ledger (page, CSV, API), attendance sheets, and the calendar feeds. */
export function registerLedger(app: FastifyInstance, ctx: AppContext): void {
  registerLedgerRoutes(app, ctx);
}

export { summarize, type Totals } from './ledger.service.js';
export { canSeeLedger } from './ledger.policy.js';
