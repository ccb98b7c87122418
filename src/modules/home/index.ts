import type { ModuleDefinition } from '../../platform/module.js';
import { registerHomeRoutes } from './home.routes.js';

/** The front page. */
export const homeModule: ModuleDefinition = {
  name: 'home',
  routes: registerHomeRoutes,
};
