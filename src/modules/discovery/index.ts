import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerDiscoveryRoutes } from './discovery.routes.js';

/** Every route of discovery: search for everyone and the "For you" feed, as pages and in the API. */
export function registerDiscovery(app: FastifyInstance, ctx: AppContext): void {
  registerDiscoveryRoutes(app, ctx);
}
