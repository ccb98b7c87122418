import type { FastifyInstance } from 'fastify';
import { HomePage } from './home.views.js';

/** The public front page. */
export function registerHomeRoutes(app: FastifyInstance): void {
  app.get('/', async (request, reply) => reply.page(request.i18n.t('home.pageTitle'), <HomePage ctx={reply.pageContext()} />));
}
