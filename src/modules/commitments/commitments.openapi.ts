import { Type } from '@sinclair/typebox';
import type { ModuleApi } from '../../platform/module.js';
import { bool, dateTime, int, json, list, nullable, obj, oneOf, operation, page, PAGE_PARAMETERS, pathParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import { FEEDBACK_KINDS, FEEDBACK_MAX, HOURS_MAX, OUTCOME_LINE_MAX, QUANTITY_MAX } from './commitments.form.js';
import { COMMITMENT_STATES, OUTCOMES } from './commitments.policy.js';

const TAG = 'Commitments';

const commitmentId = pathParam('id', uuid, 'The commitment\'s id.');
const number = (description: string) => Type.Union([Type.Number({ minimum: 0 }), str({ pattern: '^\\d{1,12}([.,]\\d{1,3})?$' })], { description });

const feedbackProperties = { id: uuid, kind: oneOf(FEEDBACK_KINDS), body: str(), createdAt: dateTime, acknowledgedAt: nullable(dateTime), reply: nullable(str()) };
const feedback = record(feedbackProperties);

const commitmentProperties = {
  id: uuid,
  ask: record({ id: uuid, title: str(), kind: str(), community: str({ description: 'The community\'s slug.' }) }),
  state: oneOf(COMMITMENT_STATES),
  position: nullable(int(1, undefined, 'Place on the waitlist.')),
  window: nullable(record({ id: uuid, startsAt: dateTime, endsAt: dateTime })),
  startsAt: nullable(dateTime),
  plannedMinutes: nullable(int(0)),
  item: nullable(str()),
  quantity: nullable(int(1)),
  amountMinor: nullable(int(0)),
  currency: nullable(str()),
  channel: nullable(str()),
  done: nullable(
    record({ minutes: nullable(int(0)), amountMinor: nullable(int(0)), quantity: nullable(int(0)), outcomeLine: nullable(str()), selfReported: bool, confirmedAt: dateTime }),
  ),
  withdrawnAt: nullable(dateTime),
  createdAt: dateTime,
  locationDetail: str({ description: 'Present only when the caller may see it (a sensitive location: pledged allies and organizers).' }),
  feedback: list(feedback, undefined, 'In the caller\'s own list only.'),
};

/** Committing to asks, withdrawing, confirmation by organizers, feedback and the ally's list. */
export const commitmentsApi: ModuleApi = {
  tag: { name: TAG, description: 'Allies commit to asks; organizers confirm what was done and give feedback.' },
  schemas: {
    Commitment: obj(
      commitmentProperties,
      Object.keys(commitmentProperties).filter((name) => name !== 'locationDetail' && name !== 'feedback'),
    ),
    Feedback: feedback,
  },
  paths: {
    '/asks/{id}/commitments': {
      post: operation({
        operationId: 'commit',
        summary: 'Commit to an open ask: a slot is pledged while one is free, otherwise the ally is waitlisted',
        description:
          'Send an `Idempotency-Key` so that a retried request never commits twice. Shift asks need `windowId`; supplies `quantity` (and `itemId`); money `amount` (and `channelId`). ' +
          'People in rest mode are refused with 409 (`rest_mode`) unless `leaveRest` is true.',
        tags: [TAG],
        access: 'write',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The ask\'s id.', schema: uuid }, { $ref: '#/components/parameters/IdempotencyKey' }],
        body: obj({
          windowId: uuid,
          itemId: uuid,
          quantity: int(1, QUANTITY_MAX),
          amount: number('Money asks: in major units.'),
          channelId: uuid,
          idempotencyKey: str({ min: 8, max: 200, description: 'The same as the header; the header wins.' }),
          acknowledgeCapacity: bool,
          leaveRest: bool,
        }),
        bodyRequired: false,
        success: {
          201: json(
            'Pledged or waitlisted (or, with `Idempotent-Replayed`, the first answer again).',
            record({
              commitment: record({ id: uuid, askId: uuid, state: oneOf(['pledged', 'waitlisted']), position: nullable(int(1)) }),
              capacityWarning: Type.Boolean({ description: 'The commitment takes the ally past their weekly capacity.' }),
            }),
            { Location: { $ref: '#/components/headers/Location' }, 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } },
          ),
        },
        problems: [404, 409, 422],
      }),
    },
    '/commitments/{id}/withdraw': {
      post: operation({
        operationId: 'withdraw',
        summary: 'Withdraw a pledged or waitlisted commitment (its ally); the first on the waitlist moves up',
        tags: [TAG],
        access: 'write',
        parameters: [commitmentId],
        body: obj({}, [], { description: 'Empty.' }),
        bodyRequired: false,
        success: { 200: json('Withdrawn.', ref('Commitment')) },
        problems: [404, 409],
      }),
    },
    '/commitments/{id}/confirm': {
      post: operation({
        operationId: 'confirmCommitment',
        summary: 'Confirm what came of a commitment (organizers)',
        description: 'Time asks take `hours`, money asks `amount`, supplies `quantity`; the hours of a `done` shift count in the community\'s ledger.',
        tags: [TAG],
        access: 'write',
        parameters: [commitmentId],
        body: obj(
          {
            outcome: oneOf(OUTCOMES),
            hours: number(`Hours given, up to ${HOURS_MAX}, in steps of a hundredth.`),
            amount: number('Money given, in major units.'),
            quantity: int(1, QUANTITY_MAX),
            outcomeLine: nullable(str({ max: OUTCOME_LINE_MAX })),
          },
          ['outcome'],
        ),
        success: { 200: json('Confirmed.', ref('Commitment')) },
        problems: [404, 409, 422],
      }),
    },
    '/commitments/{id}/feedback': {
      post: operation({
        operationId: 'giveFeedback',
        summary: 'Give private feedback to the ally of a commitment (organizers)',
        tags: [TAG],
        access: 'write',
        parameters: [commitmentId],
        body: obj({ kind: oneOf(FEEDBACK_KINDS), body: str({ min: 1, max: FEEDBACK_MAX }) }, ['kind', 'body']),
        success: { 201: json('Sent.', record({ id: uuid, commitmentId: uuid, kind: oneOf(FEEDBACK_KINDS), body: str() })) },
        problems: [404, 422],
      }),
    },
    '/me/commitments': {
      get: operation({
        operationId: 'myCommitments',
        summary: 'The caller\'s commitments, with the feedback on them',
        tags: [TAG],
        access: 'read',
        parameters: PAGE_PARAMETERS,
        success: { 200: page('A page of the caller\'s commitments: the live ones (pledged, waitlisted) first, each group latest planned first.', { commitments: list(ref('Commitment')) }) },
        problems: [400],
      }),
    },
    '/me/feedback/{id}/acknowledge': {
      post: operation({
        operationId: 'acknowledgeFeedback',
        summary: 'Acknowledge feedback written to the caller, with an optional reply',
        tags: [TAG],
        access: 'write',
        parameters: [pathParam('id', uuid, 'The feedback\'s id.')],
        body: obj({ reply: nullable(str({ max: FEEDBACK_MAX })) }),
        bodyRequired: false,
        success: { 200: json('Acknowledged.', record({ ...feedbackProperties, commitmentId: uuid })) },
        problems: [404, 409, 422],
      }),
    },
  },
};
