import type { ModuleApi } from '../../platform/module.js';
import { bool, json, operation, record, ref } from '../../platform/openapi/schema.js';
import { NOTIFICATION_KINDS } from './notifications.kinds.js';

const TAG = 'Notifications';

const preferences = record(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { ...bool, description: `Whether mails of kind ${k} are sent (default true).` }])));

/** The caller's mail preferences: one switch per kind of notification mail. */
export const notificationsApi: ModuleApi = {
  tag: { name: TAG, description: 'Which mails a person gets; every one of them can also be stopped from its own unsubscribe link.' },
  schemas: { NotificationPreferences: preferences },
  paths: {
    '/me/notifications': {
      get: operation({
        operationId: 'getNotificationPreferences',
        summary: 'The caller\'s mail preferences',
        tags: [TAG],
        access: 'read',
        success: { 200: json('Every kind with whether its mails are sent.', ref('NotificationPreferences')) },
      }),
      put: operation({
        operationId: 'setNotificationPreferences',
        summary: 'Replace the caller\'s mail preferences',
        description: 'Every kind must be given, each as a boolean.',
        tags: [TAG],
        access: 'write',
        body: preferences,
        bodyRequired: true,
        success: { 200: json('The saved preferences.', ref('NotificationPreferences')) },
        problems: [422],
      }),
    },
  },
};
