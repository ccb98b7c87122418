export { registerHomeRoutes as registerHome } from './home.routes.js';
