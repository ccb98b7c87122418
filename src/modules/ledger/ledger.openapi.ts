import { Type } from '@sinclair/typebox';
import type { ModuleApi } from '../../platform/module.js';
import { dateTime, int, json, list, nullable, oneOf, operation, pathParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';

const TAG = 'Ledger';

const totals = record({
  hours: Type.Number({ minimum: 0, description: 'Time the community confirmed (done and partly done).' }),
  minutes: int(0),
  money: list(record({ currency: str(), amountMinor: int(0), amount: str({ description: 'In major units, e.g. "250.50".' }) })),
  supplies: list(record({ item: str(), unit: nullable(str()), quantity: int(0) })),
  advocacy: record({ confirmed: int(0), selfReported: int(0) }),
  confirmedCommitments: int(0, undefined, 'Self-reported actions are not among them.'),
  allies: int(0, undefined, 'People with at least one confirmed commitment.'),
  returningAllies: int(0, undefined, 'People with confirmed commitments on two or more asks.'),
});

/** A community's ledger: what its allies did, as the community confirmed it. */
export const ledgerApi: ModuleApi = {
  tag: { name: TAG, description: 'The record a community keeps of what was done: never a name.' },
  schemas: { LedgerTotals: totals },
  paths: {
    '/communities/{slug}/ledger': {
      get: operation({
        operationId: 'getLedger',
        summary: 'A community\'s ledger: totals, and each closed ask with its outcome',
        description: 'Public for communities that chose so; otherwise for their members.',
        tags: [TAG],
        access: 'optional',
        parameters: [pathParam('slug', str(), 'The community\'s slug.')],
        success: {
          200: json(
            'The ledger.',
            record({
              community: str(),
              visibility: oneOf(['public', 'members']),
              totals: ref('LedgerTotals'),
              closedAsks: list(record({ id: uuid, title: str(), kind: str(), closedAt: dateTime, outcome: nullable(str()), totals: ref('LedgerTotals') })),
            }),
          ),
        },
        problems: [404],
      }),
    },
  },
};
