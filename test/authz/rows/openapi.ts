/** The API's description: public, the same for everyone; a dead token is refused here as on every /api route. */
import type { AuthzRow } from '../types.js';

export const rows: AuthzRow[] = [{ method: 'GET', route: '/api/openapi.json', expect: (actor) => (actor === 'suspended' ? 401 : 'ok') }];
