import { CheckboxField, ChoiceGroup, ErrorSummary, SelectField, TextArea, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import type { CommunityAccess } from '../communities/index.js';
import { COMMON_LANGUAGES, skillLabelKey, SKILLS, type Place, type SkillCode } from '../profile/index.js';
import { ACCESSIBILITY_MAX, AREA_MAX, CUTOFF_MAX_HOURS, DESCRIPTION_MAX, ITEMS_MAX, LOCATION_DETAIL_MAX, OUTCOME_MAX, SCRIPT_MAX, TARGET_MAX, TITLE_MAX, WINDOWS_MAX } from './asks.form.js';
import { ASK_KINDS, PRIORITIES } from './asks.model.js';
import type { AskAction } from './asks.policy.js';
import type { AskListRow, AskRecord } from './asks.repository.js';
import { renderMarkdown } from './markdown.js';
import { formatMoney } from '../../platform/money.js';

type Community = CommunityAccess['community'];

function value(state: FormState, name: string): string {
  const v = state.values[name];
  return typeof v === 'string' ? v : '';
}

/** A time in the ask's own time zone, with the zone named so nobody guesses. */
function formatTime(ctx: PageContext, date: Date, zone: string): string {
  return ctx.i18n.t('asks.time', { when: ctx.i18n.formatDate(date, 'datetime', zone), zone });
}

// ---- list ------------------------------------------------------------------------------------------

/** A community's asks: what the viewer may see, newest first, a page at a time. */
export function AskListPage({ ctx, community, asks, next, canCreate }: { ctx: PageContext; community: Community; asks: AskListRow[]; next: string | null; canCreate: boolean }) {
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="asks-title">
      <h1 id="asks-title">{t('asks.list.title', { community: community.name })}</h1>
      {canCreate ? (
        <p>
          <a class="button" href={`/c/${community.slug}/asks/new`}>
            {t('asks.list.new')}
          </a>
        </p>
      ) : null}
      {asks.length === 0 ? (
        <p>{t('asks.list.empty')}</p>
      ) : (
        <ul class="stack">
          {asks.map((ask) => (
            <li>
              <a href={`/asks/${ask.id}`}>{ask.title}</a>{' '}
              <span class="muted">
                {t(`asks.kind.${ask.kind}`)} · {t(`asks.status.${ask.status}`)} · {t(`asks.priority.${ask.priority}`)} ·{' '}
                {ask.online ? t('asks.online') : (ask.areaLabel ?? '')}
              </span>
            </li>
          ))}
        </ul>
      )}
      {next ? (
        <p>
          <a href={next} rel="next">{t('asks.list.more')}</a>
        </p>
      ) : null}
    </section>
  );
}

// ---- form ------------------------------------------------------------------------------------------

function DateTimeField({ name, label, state, hint }: { name: string; label: string; state: FormState; hint?: string }) {
  const id = `field-${name}`;
  const error = state.errors[name];
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <input id={id} name={name} type="datetime-local" value={value(state, name)} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy} />
    </div>
  );
}

/** Labels of every field, for the error summary. */
export function askLabels(ctx: PageContext, windowRows: number, itemRows: number): Record<string, string> {
  const { t } = ctx.i18n;
  const labels: Record<string, string> = {};
  for (const name of [
    'kind',
    'title',
    'description',
    'language',
    'timeZone',
    'online',
    'area',
    'locationDetail',
    'locationSensitive',
    'skills',
    'languages',
    'accessibilityNotes',
    'priority',
    'withdrawalCutoffHours',
    'deliverable',
    'estimatedHours',
    'moneyGoal',
    'currency',
    'advocacyScript',
    'advocacyTarget',
    'startsAt',
    'endsAt',
    'capacity',
    'outcome',
  ]) {
    labels[name] = t(`asks.field.${name}`);
  }
  labels.areaPlaceId = t('asks.field.area');
  for (let i = 0; i < windowRows; i += 1) {
    for (const part of ['Start', 'End', 'Slots']) labels[`window${i}${part}`] = t(`asks.window.${part.toLowerCase()}`, { n: i + 1 });
  }
  for (let i = 0; i < itemRows; i += 1) {
    for (const part of ['Label', 'Quantity', 'Unit']) labels[`item${i}${part}`] = t(`asks.item.${part.toLowerCase()}`, { n: i + 1 });
  }
  return labels;
}

function WindowRows({ ctx, state, rows }: { ctx: PageContext; state: FormState; rows: number }) {
  const { t } = ctx.i18n;
  return (
    <>
      {Array.from({ length: rows }, (_, i) => (
        <fieldset class="field" id={`window-${i}`}>
          <legend>{t('asks.window.legend', { n: i + 1 })}</legend>
          {value(state, `window${i}Id`) ? <input type="hidden" name={`window${i}Id`} value={value(state, `window${i}Id`)} /> : null}
          <DateTimeField name={`window${i}Start`} label={t('asks.window.start', { n: i + 1 })} state={state} />
          <DateTimeField name={`window${i}End`} label={t('asks.window.end', { n: i + 1 })} state={state} />
          <TextField name={`window${i}Slots`} type="number" inputMode="numeric" min={1} max={10000} label={t('asks.window.slots', { n: i + 1 })} state={state} />
        </fieldset>
      ))}
      <input type="hidden" name="windowRows" value={String(rows)} />
      {rows < WINDOWS_MAX ? (
        <button type="submit" name="addRows" value="windows" class="button button-secondary" formnovalidate>
          {t('asks.window.add')}
        </button>
      ) : null}
    </>
  );
}

function ItemRows({ ctx, state, rows }: { ctx: PageContext; state: FormState; rows: number }) {
  const { t } = ctx.i18n;
  return (
    <>
      {Array.from({ length: rows }, (_, i) => (
        <fieldset class="field" id={`item-${i}`}>
          <legend>{t('asks.item.legend', { n: i + 1 })}</legend>
          {value(state, `item${i}Id`) ? <input type="hidden" name={`item${i}Id`} value={value(state, `item${i}Id`)} /> : null}
          <TextField name={`item${i}Label`} label={t('asks.item.label', { n: i + 1 })} state={state} maxLength={120} />
          <TextField name={`item${i}Quantity`} type="number" inputMode="numeric" min={1} label={t('asks.item.quantity', { n: i + 1 })} state={state} />
          <TextField name={`item${i}Unit`} label={t('asks.item.unit', { n: i + 1 })} state={state} maxLength={30} />
        </fieldset>
      ))}
      <input type="hidden" name="itemRows" value={String(rows)} />
      {rows < ITEMS_MAX ? (
        <button type="submit" name="addRows" value="items" class="button button-secondary" formnovalidate>
          {t('asks.item.add')}
        </button>
      ) : null}
    </>
  );
}

function placeOptionLabel(ctx: PageContext, place: Place): string {
  const where = place.region ? `${place.name}, ${place.region}, ${place.country}` : `${place.name}, ${place.country}`;
  return ctx.i18n.t('asks.area.option', { place: where, population: ctx.i18n.formatNumber(place.population) });
}

/** The one form that creates or edits an ask: the kind, the common fields, then each kind's own fieldset. */
export function AskFormPage(props: {
  ctx: PageContext;
  community: Community;
  action: string;
  heading: string;
  state: FormState;
  windowRows: number;
  itemRows: number;
  candidates: Place[];
}) {
  const { ctx, state, community } = props;
  const { t } = ctx.i18n;
  const placeId = value(state, 'areaPlaceId');
  return (
    <section aria-labelledby="ask-form-title">
      <h1 id="ask-form-title">{props.heading}</h1>
      <p class="muted">{community.name}</p>
      <ErrorSummary ctx={ctx} state={state} labels={askLabels(ctx, props.windowRows, props.itemRows)} />
      <form method="post" action={props.action} class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <ChoiceGroup name="kind" type="radio" legend={t('asks.field.kind')} hint={t('asks.field.kind.hint')} state={state} options={ASK_KINDS.map((k) => ({ value: k, label: t(`asks.kind.${k}`) }))} />
        <TextField name="title" label={t('asks.field.title')} state={state} required maxLength={TITLE_MAX} />
        <TextArea name="description" label={t('asks.field.description')} hint={t('asks.field.description.hint')} state={state} maxLength={DESCRIPTION_MAX} rows={6} />
        <ChoiceGroup name="priority" type="radio" legend={t('asks.field.priority')} state={state} options={PRIORITIES.map((p) => ({ value: p, label: t(`asks.priority.${p}`) }))} />
        <fieldset class="field">
          <legend>{t('asks.where')}</legend>
          <CheckboxField name="online" label={t('asks.field.online')} state={state} />
          <TextField name="area" label={t('asks.field.area')} hint={t('asks.field.area.hint')} state={state} maxLength={AREA_MAX} autocomplete="off" />
          {props.candidates.length > 0 ? (
            <ChoiceGroup
              name="areaPlaceId"
              type="radio"
              legend={t('asks.area.choose')}
              state={{ values: { areaPlaceId: (props.candidates.find((p) => p.id === placeId) ?? props.candidates[0]!).id }, errors: {} }}
              options={props.candidates.map((place) => ({ value: place.id, label: placeOptionLabel(ctx, place) }))}
            />
          ) : placeId ? (
            <input type="hidden" name="areaPlaceId" value={placeId} />
          ) : null}
          <TextArea name="locationDetail" label={t('asks.field.locationDetail')} hint={t('asks.field.locationDetail.hint')} state={state} maxLength={LOCATION_DETAIL_MAX} rows={2} />
          <CheckboxField name="locationSensitive" label={t('asks.field.locationSensitive')} hint={t('asks.field.locationSensitive.hint')} state={state} />
        </fieldset>
        <fieldset class="field">
          <legend>{t('asks.kind.shift')}</legend>
          <p class="field-hint">{t('asks.shift.hint')}</p>
          <TextField name="timeZone" label={t('asks.field.timeZone')} hint={t('asks.field.timeZone.hint')} state={state} maxLength={64} />
          <WindowRows ctx={ctx} state={state} rows={props.windowRows} />
        </fieldset>
        <fieldset class="field">
          <legend>{t('asks.kind.skill')}</legend>
          <TextArea name="deliverable" label={t('asks.field.deliverable')} state={state} maxLength={1000} rows={3} />
          <TextField name="estimatedHours" type="number" inputMode="numeric" min={1} max={1000} label={t('asks.field.estimatedHours')} state={state} />
        </fieldset>
        <fieldset class="field">
          <legend>{t('asks.kind.supplies')}</legend>
          <ItemRows ctx={ctx} state={state} rows={props.itemRows} />
        </fieldset>
        <fieldset class="field">
          <legend>{t('asks.kind.money')}</legend>
          <p class="field-hint">{t('asks.money.hint')}</p>
          <TextField name="moneyGoal" inputMode="text" label={t('asks.field.moneyGoal')} state={state} maxLength={20} />
          <TextField name="currency" label={t('asks.field.currency')} hint={t('asks.field.currency.hint')} state={state} maxLength={3} />
        </fieldset>
        <fieldset class="field">
          <legend>{t('asks.kind.advocacy')}</legend>
          <TextArea name="advocacyScript" label={t('asks.field.advocacyScript')} state={state} maxLength={SCRIPT_MAX} rows={5} />
          <TextField name="advocacyTarget" label={t('asks.field.advocacyTarget')} hint={t('asks.field.advocacyTarget.hint')} state={state} maxLength={TARGET_MAX} />
        </fieldset>
        <fieldset class="field">
          <legend>{t('asks.kind.attend')}</legend>
          <DateTimeField name="startsAt" label={t('asks.field.startsAt')} hint={t('asks.field.timeZone.uses')} state={state} />
          <DateTimeField name="endsAt" label={t('asks.field.endsAt')} state={state} />
          <TextField name="capacity" type="number" inputMode="numeric" min={1} max={100000} label={t('asks.field.capacity')} state={state} />
        </fieldset>
        <details>
          <summary>{t('asks.more')}</summary>
          <ChoiceGroup name="skills" legend={t('asks.field.skills')} state={state} options={SKILLS.map((code) => ({ value: code, label: t(skillLabelKey(code)) }))} />
          <ChoiceGroup name="languages" legend={t('asks.field.languages')} state={state} options={COMMON_LANGUAGES.map((l) => ({ value: l.code, label: l.name, lang: l.code }))} />
          <SelectField name="language" label={t('asks.field.language')} state={state} options={COMMON_LANGUAGES.map((l) => ({ value: l.code, label: l.name }))} />
          <TextArea name="accessibilityNotes" label={t('asks.field.accessibilityNotes')} state={state} maxLength={ACCESSIBILITY_MAX} rows={3} />
          <TextField
            name="withdrawalCutoffHours"
            type="number"
            inputMode="numeric"
            min={0}
            max={CUTOFF_MAX_HOURS}
            label={t('asks.field.withdrawalCutoffHours')}
            hint={t('asks.field.withdrawalCutoffHours.hint')}
            state={state}
          />
        </details>
        <p>
          <button type="submit" class="button">
            {t('asks.save')}
          </button>
        </p>
      </form>
    </section>
  );
}

// ---- the ask's page ----------------------------------------------------------------------------------

/** One ask: its kind's details, its description, where and when, and the organizers' actions. */
export function AskPage(props: {
  ctx: PageContext;
  ask: AskRecord;
  community: Community;
  showDetail: boolean;
  canEdit: boolean;
  actions: AskAction[];
  closeState: FormState;
  notice?: string | undefined;
  /** For money asks: where to give, as the community listed it. */
  channels?: Array<{ label: string; details: string }>;
}) {
  const { ctx, ask, community } = props;
  const { t } = ctx.i18n;
  const zone = ask.timeZone;
  return (
    <article aria-labelledby="ask-title" lang={ask.language}>
      <p class="muted" lang={ctx.i18n.locale}>
        <a href={`/c/${community.slug}/asks`}>{community.name}</a> · {t(`asks.kind.${ask.kind}`)}
      </p>
      <h1 id="ask-title">{ask.title}</h1>
      {props.notice ? (
        <div class="alert" role="status" lang={ctx.i18n.locale}>
          <p>{props.notice}</p>
        </div>
      ) : null}
      <dl lang={ctx.i18n.locale}>
        <dt>{t('asks.field.status')}</dt>
        <dd>{t(`asks.status.${ask.status}`)}</dd>
        <dt>{t('asks.field.priority')}</dt>
        <dd>{t(`asks.priority.${ask.priority}`)}</dd>
        <dt>{t('asks.where')}</dt>
        <dd>
          {[ask.online ? t('asks.online') : null, ask.areaLabel].filter(Boolean).join(' · ')}
          {ask.locationDetail && props.showDetail ? <p>{ask.locationDetail}</p> : null}
          {ask.locationDetail && ask.locationSensitive ? <p class="muted">{props.showDetail ? t('asks.location.sensitiveShown') : t('asks.location.sensitiveHidden')}</p> : null}
        </dd>
        {ask.kind === 'skill' ? (
          <>
            <dt>{t('asks.field.deliverable')}</dt>
            <dd>{ask.deliverable}</dd>
            <dt>{t('asks.field.estimatedHours')}</dt>
            <dd>{t('asks.hours', { hours: ask.estimatedHours ?? 0 })}</dd>
          </>
        ) : null}
        {ask.kind === 'money' && ask.moneyGoalMinor !== null && ask.currency ? (
          <>
            <dt>{t('asks.field.moneyGoal')}</dt>
            <dd>{formatMoney(ctx.i18n, ask.moneyGoalMinor, ask.currency)}</dd>
          </>
        ) : null}
        {ask.kind === 'money' && props.channels && props.channels.length > 0 ? (
          <>
            <dt>{t('asks.money.channels')}</dt>
            <dd>
              <ul>
                {props.channels.map((channel) => (
                  <li>
                    <strong>{channel.label}</strong>: <span class="pre-line">{channel.details}</span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        {ask.kind === 'advocacy' ? (
          <>
            <dt>{t('asks.field.advocacyTarget')}</dt>
            <dd>{ask.advocacyTarget}</dd>
          </>
        ) : null}
        {ask.kind === 'attend' && ask.startsAt ? (
          <>
            <dt>{t('asks.field.startsAt')}</dt>
            <dd>
              <time dateTime={ask.startsAt.toISOString()}>{formatTime(ctx, ask.startsAt, zone)}</time>
            </dd>
            {ask.endsAt ? (
              <>
                <dt>{t('asks.field.endsAt')}</dt>
                <dd>
                  <time dateTime={ask.endsAt.toISOString()}>{formatTime(ctx, ask.endsAt, zone)}</time>
                </dd>
              </>
            ) : null}
            <dt>{t('asks.field.capacity')}</dt>
            <dd>{ctx.i18n.formatNumber(ask.capacity ?? 0)}</dd>
          </>
        ) : null}
        {ask.skills.length > 0 ? (
          <>
            <dt>{t('asks.field.skills')}</dt>
            <dd>{ask.skills.map((s) => t(skillLabelKey(s as SkillCode))).join(', ')}</dd>
          </>
        ) : null}
        {ask.languages.length > 0 ? (
          <>
            <dt>{t('asks.field.languages')}</dt>
            <dd>{ask.languages.map((code) => COMMON_LANGUAGES.find((l) => l.code === code)?.name ?? code).join(', ')}</dd>
          </>
        ) : null}
        {ask.accessibilityNotes ? (
          <>
            <dt>{t('asks.field.accessibilityNotes')}</dt>
            <dd>{ask.accessibilityNotes}</dd>
          </>
        ) : null}
        <dt>{t('asks.field.withdrawalCutoffHours')}</dt>
        <dd>{t('asks.hours', { hours: ask.withdrawalCutoffHours })}</dd>
      </dl>
      {/* The description is rendered by markdown.ts, which lets no raw HTML, image or unsafe link through. */}
      <div class="prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(ask.description) }} />
      {ask.kind === 'advocacy' && ask.advocacyScript ? (
        <section aria-labelledby="script-title">
          <h2 id="script-title" lang={ctx.i18n.locale}>
            {t('asks.field.advocacyScript')}
          </h2>
          <blockquote>
            <p>{ask.advocacyScript}</p>
          </blockquote>
        </section>
      ) : null}
      {ask.kind === 'shift' ? (
        <section aria-labelledby="windows-title" lang={ctx.i18n.locale}>
          <h2 id="windows-title">{t('asks.windows')}</h2>
          <ul>
            {ask.windows.map((w) => (
              <li>
                <time dateTime={w.startsAt.toISOString()}>{formatTime(ctx, w.startsAt, zone)}</time> –{' '}
                <time dateTime={w.endsAt.toISOString()}>{formatTime(ctx, w.endsAt, zone)}</time> · {t('asks.slots', { slots: w.slots })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {ask.kind === 'supplies' ? (
        <section aria-labelledby="items-title" lang={ctx.i18n.locale}>
          <h2 id="items-title">{t('asks.items')}</h2>
          <ul>
            {ask.items.map((item) => (
              <li>
                <span lang={ask.language}>{item.label}</span>: {ctx.i18n.formatNumber(item.quantity)} {item.unit ? <span lang={ask.language}>{item.unit}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {ask.status === 'closed' && ask.outcomeNote ? (
        <section aria-labelledby="outcome-title">
          <h2 id="outcome-title" lang={ctx.i18n.locale}>
            {t('asks.outcome')}
          </h2>
          <p>{ask.outcomeNote}</p>
        </section>
      ) : null}
      {ask.status === 'open' || props.canEdit ? (
        <p lang={ctx.i18n.locale}>
          {ask.status === 'open' ? <a href={`/asks/${ask.id}/commit`} class="button">{t('commitments.link.commit')}</a> : null}{' '}
          {props.canEdit ? <a href={`/asks/${ask.id}/confirm`}>{t('commitments.link.confirm')}</a> : null}
        </p>
      ) : null}
      {props.canEdit || props.actions.length > 0 ? <OrganizerActions {...props} /> : null}
    </article>
  );
}

function OrganizerActions({ ctx, ask, canEdit, actions, closeState }: { ctx: PageContext; ask: AskRecord; canEdit: boolean; actions: AskAction[]; closeState: FormState }) {
  const { t } = ctx.i18n;
  const simple = actions.filter((a) => a !== 'close');
  return (
    <section aria-labelledby="organize-title" lang={ctx.i18n.locale} class="stack">
      <h2 id="organize-title">{t('asks.organize')}</h2>
      {canEdit ? (
        <p>
          <a href={`/asks/${ask.id}/edit`}>{t('asks.edit')}</a>
        </p>
      ) : null}
      {simple.map((action) => (
        <form method="post" action={`/asks/${ask.id}/${action}`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="button button-secondary">
            {t(`asks.action.${action}`)}
          </button>
        </form>
      ))}
      {actions.includes('close') ? (
        <form method="post" action={`/asks/${ask.id}/close`} class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} state={closeState} labels={{ outcome: t('asks.field.outcome') }} />
          <TextArea name="outcome" label={t('asks.field.outcome')} hint={t('asks.field.outcome.hint')} state={closeState} required maxLength={OUTCOME_MAX} rows={4} />
          <button type="submit" class="button">
            {t('asks.action.close')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
