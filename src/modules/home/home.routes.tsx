import type { FastifyInstance } from 'fastify';
import { anyone, guarded } from '../../platform/auth.js';
import { HomePage } from './home.views.js';

/** The public front page. */
export function registerHomeRoutes(app: FastifyInstance): void {
  app.get('/', guarded(anyone), async (request, reply) => reply.page(request.i18n.t('home.pageTitle'), <HomePage ctx={reply.pageContext()} />));
}
