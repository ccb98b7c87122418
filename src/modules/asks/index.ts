import type { ModuleDefinition } from '../../platform/module.js';
import { asksApi } from './asks.openapi.js';
import { registerAskRoutes } from './asks.routes.js';

/** Asks: a community's asks, the ask form and page, their lifecycle, and the API. */
export const asksModule: ModuleDefinition = {
  name: 'asks',
  routes: registerAskRoutes,
  api: asksApi,
};

export { askViewerFacts, type AskViewerFacts } from './asks.slots.js';

export { canSeeAsk, canSeeLocationDetail, nextStatus, type AskStatus } from './asks.policy.js';
export { getVisibleAsk, type AskRecord } from './asks.service.js';
export { renderMarkdown } from './markdown.js';
export { changeStatus, createAsk, listVisibleAsks } from './asks.service.js';
export { flattenAskJson, parseAsk, type AskInput } from './asks.form.js';
export { ASK_KINDS, PRIORITIES, type AskKind, type AskPriority } from './asks.model.js';
