import type { ModuleDefinition } from '../../platform/module.js';
import { journalApi } from './journal.openapi.js';
import { registerJournalRoutes } from './journal.routes.js';
import { deleteJournal, exportJournal, readEntries, writeEntry } from './journal.service.js';

/**
 * The private reflection journal: entries with prompts offered after a commitment is confirmed,
 * after feedback arrives and once a week, encrypted at rest with a key of each person's own.
 */
export const journalModule: ModuleDefinition = {
  name: 'journal',
  routes: registerJournalRoutes,
  api: journalApi,
  accountLinks: [{ href: '/journal', label: 'account.hub.link.journal', order: 15 }],
  // The author's own copy, opened: the export is the one place an entry leaves the journal.
  exportSection: async (db, userId, ctx) => ({ journal: await exportJournal(ctx, db, userId) }),
  // Private reflection is never kept "without a name": it goes, whatever the person chose.
  deletion: (trx, userId) => deleteJournal(trx, userId),
  // One demo ally keeps a journal, so that the page shows what it is for; nobody else can see it.
  demo: async ({ ctx, person }) => {
    const dee = person('dee@demo.alongside.test');
    if ((await readEntries(ctx, dee.id, { limit: 1, after: undefined })).length > 0) return { entries: 0 };
    await writeEntry(ctx, dee.id, {
      title: 'Listening first',
      body: 'At the peer support evening I caught myself about to give advice nobody asked for. I waited instead, and the person found their own words. Next time: fewer suggestions, more questions.',
      prompt: 'weekly',
      link: null,
    });
    return { entries: 1 };
  },
};
