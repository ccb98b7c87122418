import type { ModuleDefinition } from '../../platform/module.js';
import { notificationsApi } from './notifications.openapi.js';
import { registerNotificationRoutes } from './notifications.routes.js';
import { notificationJobs, notificationMaintenance } from './notifications.service.js';

/** Mail preferences (page and API), the unsubscribe link, shift reminders and the organizers' digest. */
export const notificationsModule: ModuleDefinition = {
  name: 'notifications',
  routes: registerNotificationRoutes,
  api: notificationsApi,
  jobs: notificationJobs,
  maintenance: notificationMaintenance,
  accountLinks: [{ href: '/account/notifications', label: 'account.hub.link.notifications', order: 30 }],
};

export { NOTIFICATION_KINDS, isNotificationKind, type NotificationKind } from './notifications.kinds.js';
export {
  notify,
  scheduleReminder,
  unsubscribeUrl,
  ORGANIZER_DIGEST_JOB,
  SHIFT_REMINDER_JOB,
  type NotifyCtx,
  type NotifyInput,
  type NotifyMessage,
} from './notifications.service.js';
