import type { ModuleApi } from '../../platform/module.js';
import { dateTime, empty, int, json, list, nullable, obj, oneOf, operation, page, PAGE_PARAMETERS, pathParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import { TOKEN_NAME_MAX } from './api-tokens.views.js';

const TAG = 'Tokens';
const SCOPES = ['read', 'write'] as const;

/** Personal API tokens: issuing one with credentials, listing and revoking them. */
export const accountsApi: ModuleApi = {
  tag: { name: TAG, description: 'Personal API tokens (`alg_…`).' },
  schemas: {
    ApiToken: record({
      id: uuid,
      name: str({ max: TOKEN_NAME_MAX }),
      scope: oneOf(SCOPES),
      createdAt: dateTime,
      lastUsedAt: nullable(dateTime),
      expiresAt: nullable(dateTime),
    }),
  },
  paths: {
    '/auth/tokens': {
      post: operation({
        operationId: 'issueToken',
        summary: 'Issue a personal API token with an e-mail address and password',
        description:
          'Needs no token. Accounts with two-step sign-in also send `otp` (a code of the authenticator app or a recovery code). The token is in this response only. Attempts are limited per address and per account.',
        tags: [TAG],
        access: 'public',
        body: obj(
          {
            email: str({ max: 254 }),
            password: str({ min: 1, max: 1024, description: 'Never trimmed.' }),
            otp: nullable(str({ max: 64 })),
            name: str({ min: 1, max: TOKEN_NAME_MAX, description: 'What the token is for, shown on the account page.' }),
            scope: oneOf(SCOPES),
            expiresInDays: int(1, 3650, 'How many days the token works; without it, until it is revoked.'),
          },
          ['email', 'password', 'name', 'scope'],
        ),
        success: {
          201: json(
            'The token, shown once.',
            record({ id: uuid, token: str({ pattern: '^alg_', description: 'Send as `Authorization: Bearer …`.' }), scope: oneOf(SCOPES), name: str(), expiresAt: nullable(dateTime) }),
          ),
        },
        problems: [401, 403, 422],
      }),
      get: operation({
        operationId: 'listTokens',
        summary: 'The caller\'s personal API tokens (never the tokens themselves)',
        tags: [TAG],
        access: 'read',
        parameters: PAGE_PARAMETERS,
        success: { 200: page('A page of the tokens, newest first.', { tokens: list(ref('ApiToken')) }) },
        problems: [400],
      }),
    },
    '/auth/tokens/{id}': {
      delete: operation({
        operationId: 'revokeToken',
        summary: 'Revoke one of the caller\'s tokens',
        tags: [TAG],
        access: 'write',
        parameters: [pathParam('id', uuid, 'The token\'s id.')],
        success: { 204: empty('Revoked.') },
        problems: [404],
      }),
    },
  },
};
