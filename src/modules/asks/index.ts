import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerAskRoutes } from './asks.routes.js';

/** Every route of the asks module: a community's asks, the ask form and page, their lifecycle, and the API. */
export function registerAsks(app: FastifyInstance, ctx: AppContext): void {
  registerAskRoutes(app, ctx);
}

export { canSeeAsk, canSeeLocationDetail, nextStatus, type AskStatus } from './asks.policy.js';
export { getVisibleAsk, type AskRecord } from './asks.service.js';
export { renderMarkdown } from './markdown.js';
export { changeStatus, createAsk, listVisibleAsks } from './asks.service.js';
export { flattenAskJson, parseAsk, type AskInput } from './asks.form.js';
