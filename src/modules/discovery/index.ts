import type { ModuleDefinition } from '../../platform/module.js';
import { discoveryApi } from './discovery.openapi.js';
import { registerDiscoveryRoutes } from './discovery.routes.js';

/** Search for everyone and the ranked "For you" feed, as pages and in the API. */
export const discoveryModule: ModuleDefinition = {
  name: 'discovery',
  routes: registerDiscoveryRoutes,
  api: discoveryApi,
  nav: [
    { href: '/feed', label: 'layout.nav.feed', order: 10, show: (viewer) => viewer !== undefined },
    { href: '/search', label: 'layout.nav.search', order: 20 },
  ],
};
