import { CheckboxField, ErrorSummary, TextArea, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { Translator } from '../../platform/i18n.js';
import type { PageContext } from '../../platform/views/render.js';
import type { Moment } from '../commitments/index.js';
import { BODY_MAX, TITLE_MAX, type Entry, type Prompt } from './journal.model.js';
import type { Offer } from './journal.service.js';

/** The words of a prompt, about its moment when it has one. */
export function promptText(i18n: Translator, prompt: Prompt, moment: Pick<Moment, 'askTitle'> | null): string {
  return i18n.t(`journal.prompt.${prompt}`, { ask: moment?.askTitle ?? '' });
}

function aboutValue(moment: Pick<Moment, 'kind' | 'id'>): string {
  return `${moment.kind}:${moment.id}`;
}

function entryHeading(ctx: PageContext, entry: Entry): string {
  return entry.title ?? ctx.i18n.t('journal.untitled', { date: ctx.i18n.formatDate(entry.createdAt) });
}

function PrivacyNote({ ctx }: { ctx: PageContext }) {
  return <p class="muted">{ctx.i18n.t('journal.private')}</p>;
}

/** The journal: what is worth reflecting on now, the entries, and the weekly prompt setting. */
export function JournalPage(props: { ctx: PageContext; offers: Offer[]; entries: Entry[]; next: string | null; weekly: boolean; notice?: string | undefined }) {
  const { ctx } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="journal-title" class="stack">
      <h1 id="journal-title">{t('journal.title')}</h1>
      <PrivacyNote ctx={ctx} />
      {props.notice ? (
        <div class="alert" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      <p>
        <a class="button" href="/journal/new">
          {t('journal.new')}
        </a>
      </p>
      {props.offers.length > 0 ? (
        <section aria-labelledby="offers-title" class="stack">
          <h2 id="offers-title">{t('journal.offers.title')}</h2>
          <ul class="stack">
            {props.offers.map((offer) => {
              const query = new URLSearchParams({ prompt: offer.prompt, ...(offer.moment ? { about: aboutValue(offer.moment) } : {}) });
              return (
                <li>
                  <p>{promptText(ctx.i18n, offer.prompt, offer.moment)}</p>
                  <a href={`/journal/new?${query.toString()}`}>{t('journal.offers.write')}</a>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="entries-title" class="stack">
        <h2 id="entries-title">{t('journal.entries.title')}</h2>
        {props.entries.length === 0 ? <p>{t('journal.empty')}</p> : null}
        <ul class="stack">
          {props.entries.map((entry) => (
            <li>
              <h3>
                <a href={`/journal/${entry.id}`}>{entryHeading(ctx, entry)}</a>
              </h3>
              <p class="muted">{t('journal.written', { date: ctx.i18n.formatDate(entry.createdAt, 'datetime') })}</p>
            </li>
          ))}
        </ul>
        {props.next ? (
          <p>
            <a href={props.next} rel="next">
              {t('journal.more')}
            </a>
          </p>
        ) : null}
      </section>
      <form method="post" action="/journal/settings" class="stack">
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>{t('journal.settings.title')}</legend>
          <CheckboxField name="weeklyPrompt" label={t('journal.settings.weekly')} state={{ values: { weeklyPrompt: props.weekly ? 'on' : '' }, errors: {} }} />
        </fieldset>
        <button type="submit" class="button button-secondary">
          {t('journal.settings.save')}
        </button>
      </form>
    </section>
  );
}

function EntryFields({ ctx, state }: { ctx: PageContext; state: FormState }) {
  const { t } = ctx.i18n;
  return (
    <>
      <TextField name="title" label={t('journal.field.title')} state={state} maxLength={TITLE_MAX} />
      <TextArea name="body" label={t('journal.field.body')} hint={t('journal.field.bodyHint')} state={state} rows={12} maxLength={BODY_MAX} required />
    </>
  );
}

function labels(ctx: PageContext): Record<string, string> {
  return { title: ctx.i18n.t('journal.field.title'), body: ctx.i18n.t('journal.field.body'), about: ctx.i18n.t('journal.title') };
}

/** A new entry, answering a prompt about a moment of the person's own record, or none. */
export function NewEntryPage(props: { ctx: PageContext; state: FormState; prompt: Prompt | null; moment: Moment | null }) {
  const { ctx, state } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="entry-title" class="stack">
      <h1 id="entry-title">{t('journal.new.title')}</h1>
      <PrivacyNote ctx={ctx} />
      <ErrorSummary ctx={ctx} state={state} labels={labels(ctx)} />
      {props.prompt ? <p class="lead">{promptText(ctx.i18n, props.prompt, props.moment)}</p> : null}
      <form method="post" action="/journal" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        {props.prompt ? <input type="hidden" name="prompt" value={props.prompt} /> : null}
        {props.moment ? <input type="hidden" name="about" value={aboutValue(props.moment)} /> : null}
        <EntryFields ctx={ctx} state={state} />
        <button type="submit" class="button">
          {t('journal.save')}
        </button>
      </form>
      <p>
        <a href="/journal">{t('journal.back')}</a>
      </p>
    </section>
  );
}

/** One entry: read it, change it, or delete it. */
export function EntryPage(props: { ctx: PageContext; entry: Entry; moment: Moment | null; state: FormState; notice?: string | undefined }) {
  const { ctx, entry, state } = props;
  const { t } = ctx.i18n;
  const edited = entry.updatedAt.getTime() - entry.createdAt.getTime() > 1000;
  return (
    <section aria-labelledby="entry-title" class="stack">
      <h1 id="entry-title">{entryHeading(ctx, entry)}</h1>
      <p class="muted">
        {t('journal.written', { date: ctx.i18n.formatDate(entry.createdAt, 'datetime') })}
        {edited ? ` · ${t('journal.edited', { date: ctx.i18n.formatDate(entry.updatedAt, 'datetime') })}` : null}
      </p>
      {props.notice ? (
        <div class="alert" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {entry.prompt ? <p class="lead">{promptText(ctx.i18n, entry.prompt, props.moment)}</p> : null}
      {props.moment ? <p>{t('journal.about', { ask: props.moment.askTitle })}</p> : null}
      <ErrorSummary ctx={ctx} state={state} labels={labels(ctx)} />
      <form method="post" action={`/journal/${entry.id}`} class="stack" novalidate>
        <CsrfField ctx={ctx} />
        {entry.prompt ? <input type="hidden" name="prompt" value={entry.prompt} /> : null}
        {entry.link ? <input type="hidden" name="about" value={aboutValue(entry.link)} /> : null}
        <EntryFields ctx={ctx} state={state} />
        <button type="submit" class="button">
          {t('journal.update')}
        </button>
      </form>
      <form method="post" action={`/journal/${entry.id}/delete`} class="stack">
        <CsrfField ctx={ctx} />
        <p class="muted">{t('journal.deleteHint')}</p>
        <button type="submit" class="button button-secondary">
          {t('journal.delete')}
        </button>
      </form>
      <p>
        <a href="/journal">{t('journal.back')}</a>
      </p>
    </section>
  );
}
