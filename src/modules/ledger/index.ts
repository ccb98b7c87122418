import type { ModuleDefinition } from '../../platform/module.js';
import { ledgerApi } from './ledger.openapi.js';
import { registerLedgerRoutes } from './ledger.routes.js';

/** A community's ledger (page, CSV, API), attendance sheets, and the calendar feeds. */
export const ledgerModule: ModuleDefinition = {
  name: 'ledger',
  routes: registerLedgerRoutes,
  api: ledgerApi,
  accountLinks: [{ href: '/account/calendar', label: 'account.hub.link.calendar', order: 20 }],
};

export { summarize, type Totals } from './ledger.service.js';
export { canSeeLedger } from './ledger.policy.js';
