import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerNotificationRoutes } from './notifications.routes.js';

/** Every route of the notifications module: mail preferences (page and API) and the unsubscribe link. */
export function registerNotifications(app: FastifyInstance, ctx: AppContext): void {
  registerNotificationRoutes(app, ctx);
}

export { NOTIFICATION_KINDS, isNotificationKind, type NotificationKind } from './notifications.kinds.js';
export {
  notify,
  notificationJobs,
  scheduleReminder,
  unsubscribeUrl,
  ORGANIZER_DIGEST_JOB,
  SHIFT_REMINDER_JOB,
  type NotifyCtx,
  type NotifyInput,
  type NotifyMessage,
} from './notifications.service.js';
