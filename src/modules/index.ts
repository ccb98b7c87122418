import type { ModuleDefinition } from '../platform/module.js';
import { accountsModule } from './accounts/index.js';
import { adminModule } from './admin/index.js';
import { asksModule } from './asks/index.js';
import { commitmentsModule } from './commitments/index.js';
import { communitiesModule } from './communities/index.js';
import { demoModule } from './demo/index.js';
import { discoveryModule } from './discovery/index.js';
import { homeModule } from './home/index.js';
import { journalModule } from './journal/index.js';
import { ledgerModule } from './ledger/index.js';
import { notificationsModule } from './notifications/index.js';
import { profileModule } from './profile/index.js';

/**
 * Every capability of Alongside, in order: a module comes after the modules it builds on (its
 * routes, links, export sections, deletion handlers and demo data follow this order too).
 * Adding a capability is one folder under src/modules/ and one line here.
 */
export const MODULES: readonly ModuleDefinition[] = [
  accountsModule,
  homeModule,
  profileModule,
  communitiesModule,
  asksModule,
  notificationsModule,
  commitmentsModule,
  ledgerModule,
  discoveryModule,
  journalModule,
  adminModule,
  demoModule,
];
