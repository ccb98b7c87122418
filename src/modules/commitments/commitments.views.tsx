import { ChoiceGroup, ErrorSummary, SelectField, TextArea, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import { FEEDBACK_KINDS, FEEDBACK_MAX, OUTCOME_LINE_MAX } from './commitments.form.js';
import { OUTCOMES } from './commitments.policy.js';
import type { AllyRecord, CommitmentRecord, FeedbackRecord } from './commitments.service.js';
import { currencyDigits, formatMoney } from '../../platform/money.js';

/** The ask as the commit page shows it. */
export interface CommitAskView {
  id: string;
  title: string;
  kind: CommitmentRecord['askKind'];
  timeZone: string;
  currency: string | null;
  communityName: string;
  communitySlug: string;
}

/** What the commit form offers. */
export interface CommitOptionsView {
  windows: Array<{ id: string; startsAt: Date; endsAt: Date; slots: number; pledged: number }>;
  items: Array<{ id: string; label: string; unit: string | null }>;
  channels: Array<{ id: string; label: string; details: string }>;
}

function formatTime(ctx: PageContext, date: Date, zone: string): string {
  return ctx.i18n.t('commitments.time', { when: ctx.i18n.formatDate(date, 'datetime', zone), zone });
}

/** The ally's name, or "a former ally" when they deleted their account and kept their work in the record. */
function allyName(ctx: PageContext, c: Pick<CommitmentRecord, 'allyName'>): string {
  return c.allyName ?? ctx.i18n.t('commitments.formerAlly');
}

function formatHours(ctx: PageContext, minutes: number): string {
  return ctx.i18n.t('commitments.hours', { hours: Math.round((minutes / 60) * 100) / 100 });
}

/** Minutes as the hours field shows them. */
export function hoursValue(minutes: number | null): string {
  return minutes === null ? '' : String(Math.round((minutes / 60) * 100) / 100);
}

/** Minor units as the amount field shows them. */
export function amountValue(minor: number | null, currency: string | null): string {
  if (minor === null) return '';
  const digits = currencyDigits(currency ?? 'EUR');
  return (minor / 10 ** digits).toFixed(digits);
}

/** A one-line description of what was promised. */
function promised(ctx: PageContext, c: CommitmentRecord): string {
  const { t } = ctx.i18n;
  const parts: string[] = [];
  if (c.windowStartsAt && c.windowEndsAt) parts.push(`${formatTime(ctx, c.windowStartsAt, c.askTimeZone)} – ${formatTime(ctx, c.windowEndsAt, c.askTimeZone)}`);
  else if (c.startsAt) parts.push(formatTime(ctx, c.startsAt, c.askTimeZone));
  if (c.quantity !== null) parts.push(c.itemLabel ? t('commitments.promised.item', { quantity: c.quantity, item: c.itemLabel }) : ctx.i18n.formatNumber(c.quantity));
  if (c.amountMinor !== null && c.currency) parts.push(c.channelLabel ? t('commitments.promised.money', { amount: formatMoney(ctx.i18n, c.amountMinor, c.currency), channel: c.channelLabel }) : formatMoney(ctx.i18n, c.amountMinor, c.currency));
  if (c.plannedMinutes && !c.windowStartsAt) parts.push(formatHours(ctx, c.plannedMinutes));
  return parts.join(' · ');
}

function stateLabel(ctx: PageContext, c: CommitmentRecord): string {
  const { t } = ctx.i18n;
  const label = t(`commitments.state.${c.state}`);
  if (c.state === 'waitlisted' && c.position !== null) return t('commitments.waitlistPosition', { state: label, position: c.position });
  if (c.selfReported) return t('commitments.selfReported', { state: label });
  return label;
}

function what(ctx: PageContext, c: CommitmentRecord): string {
  const { t } = ctx.i18n;
  const parts: string[] = [];
  if (c.doneMinutes !== null) parts.push(formatHours(ctx, c.doneMinutes));
  if (c.doneAmountMinor !== null && c.currency) parts.push(formatMoney(ctx.i18n, c.doneAmountMinor, c.currency));
  if (c.doneQuantity !== null) parts.push(ctx.i18n.formatNumber(c.doneQuantity));
  return parts.length ? t('commitments.confirmedWhat', { what: parts.join(' · ') }) : '';
}

/** The hidden fields that carry a commit through a warning page unchanged. */
function Carry({ values }: { values: Record<string, string> }) {
  return (
    <>
      {Object.entries(values)
        .filter(([, v]) => v !== '')
        .map(([name, v]) => (
          <input type="hidden" name={name} value={v} />
        ))}
    </>
  );
}

/** The commit form of an ask. */
export function CommitPage(props: {
  ctx: PageContext;
  ask: CommitAskView;
  options: CommitOptionsView;
  state: FormState;
  live: CommitmentRecord[];
  restMode: boolean;
  notice?: string | undefined;
}) {
  const { ctx, ask, options, state } = props;
  const { t } = ctx.i18n;
  const labels: Record<string, string> = {
    windowId: t('commitments.field.window'),
    itemId: t('commitments.field.item'),
    quantity: t('commitments.field.quantity'),
    amount: t('commitments.field.amount', { currency: ask.currency ?? '' }),
    channelId: t('commitments.field.channel'),
    idempotencyKey: t('commitments.field.idempotencyKey'),
  };
  return (
    <section aria-labelledby="commit-title" class="stack">
      <p class="muted">
        <a href={`/asks/${ask.id}`}>{ask.title}</a> · {ask.communityName}
      </p>
      <h1 id="commit-title">{t('commitments.commit.title')}</h1>
      {props.notice ? (
        <div class="alert" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {props.live.length > 0 ? (
        <div class="alert" role="status">
          <p>{t('commitments.commit.already', { count: props.live.length })}</p>
          <ul>
            {props.live.map((c) => (
              <li>
                <a href={`/commitments/${c.id}`}>{stateLabel(ctx, c)}</a> {promised(ctx, c)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {props.restMode ? <p class="muted">{t('commitments.commit.restNote')}</p> : null}
      <p>{t(`commitments.commit.intro.${ask.kind}`)}</p>
      <form method="post" action={`/asks/${ask.id}/commit`} class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="idempotencyKey" value={String(state.values.idempotencyKey ?? '')} />
        <ErrorSummary ctx={ctx} state={state} labels={labels} />
        {ask.kind === 'shift' ? (
          <ChoiceGroup
            name="windowId"
            type="radio"
            legend={labels.windowId!}
            state={state}
            options={options.windows.map((w) => ({
              value: w.id,
              label: `${formatTime(ctx, w.startsAt, ask.timeZone)} – ${formatTime(ctx, w.endsAt, ask.timeZone)} · ${t('commitments.placesLeft', { left: Math.max(0, w.slots - w.pledged), slots: w.slots })}`,
            }))}
          />
        ) : null}
        {ask.kind === 'supplies' ? (
          <>
            {options.items.length > 0 ? (
              <SelectField name="itemId" label={labels.itemId!} state={state} options={[{ value: '', label: t('commitments.choose') }, ...options.items.map((i) => ({ value: i.id, label: i.unit ? `${i.label} (${i.unit})` : i.label }))]} />
            ) : null}
            <TextField name="quantity" label={labels.quantity!} state={state} inputMode="numeric" required />
          </>
        ) : null}
        {ask.kind === 'money' ? (
          <>
            <TextField name="amount" label={labels.amount!} hint={t('commitments.field.amount.hint')} state={state} inputMode="text" required />
            {options.channels.length > 0 ? (
              <ChoiceGroup name="channelId" type="radio" legend={labels.channelId!} state={state} options={options.channels.map((c) => ({ value: c.id, label: `${c.label}: ${c.details}` }))} />
            ) : (
              <p class="muted">{t('commitments.noChannels')}</p>
            )}
          </>
        ) : null}
        <button type="submit" class="button">
          {t('commitments.commit.submit')}
        </button>
      </form>
    </section>
  );
}

/** The gentle capacity warning: never a block, a pause to think. */
export function CapacityPage(props: { ctx: PageContext; askId: string; values: Record<string, string>; weekMinutes: number; addedMinutes: number; capacityHours: number }) {
  const { ctx } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="capacity-title" class="stack">
      <h1 id="capacity-title">{t('commitments.capacity.title')}</h1>
      <p>
        {t('commitments.capacity.text', {
          week: Math.round((props.weekMinutes / 60) * 10) / 10,
          added: Math.round((props.addedMinutes / 60) * 10) / 10,
          capacity: props.capacityHours,
        })}
      </p>
      <p>{t('commitments.capacity.rest')}</p>
      <form method="post" action={`/asks/${props.askId}/commit`}>
        <CsrfField ctx={ctx} />
        <Carry values={{ ...props.values, acknowledgeCapacity: 'on' }} />
        <button type="submit" class="button">
          {t('commitments.capacity.anyway')}
        </button>
      </form>
      <p>
        <a href={`/asks/${props.askId}`}>{t('commitments.capacity.notNow')}</a> · <a href="/account/profile">{t('commitments.capacity.profile')}</a>
      </p>
    </section>
  );
}

/** In rest mode, committing means leaving it: ask first. */
export function RestPage(props: { ctx: PageContext; askId: string; values: Record<string, string> }) {
  const { ctx } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="rest-title" class="stack">
      <h1 id="rest-title">{t('commitments.rest.title')}</h1>
      <p>{t('commitments.rest.text')}</p>
      <form method="post" action={`/asks/${props.askId}/commit`}>
        <CsrfField ctx={ctx} />
        <Carry values={{ ...props.values, leaveRest: 'on' }} />
        <button type="submit" class="button">
          {t('commitments.rest.leave')}
        </button>
      </form>
      <p>
        <a href={`/asks/${props.askId}`}>{t('commitments.rest.stay')}</a>
      </p>
    </section>
  );
}

function FeedbackItem({ ctx, feedback, canAcknowledge }: { ctx: PageContext; feedback: FeedbackRecord; canAcknowledge: boolean }) {
  const { t } = ctx.i18n;
  const fieldState: FormState = { values: {}, errors: {} };
  return (
    <li class="stack">
      <p>
        <strong>{t(`commitments.feedbackKind.${feedback.kind}`)}</strong> · <time dateTime={feedback.createdAt.toISOString()}>{ctx.i18n.formatDate(feedback.createdAt)}</time>
        {feedback.authorName ? ` · ${feedback.authorName}` : ''}
      </p>
      <p>{feedback.body}</p>
      {feedback.acknowledgedAt ? <p class="muted">{t('commitments.feedback.acknowledged')}</p> : null}
      {feedback.reply ? (
        <blockquote>
          <p>{feedback.reply}</p>
        </blockquote>
      ) : null}
      {canAcknowledge && !feedback.acknowledgedAt ? (
        <form method="post" action={`/account/feedback/${feedback.id}/acknowledge`} class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <TextArea name="reply" label={t('commitments.field.reply')} hint={t('commitments.field.reply.hint')} state={fieldState} maxLength={FEEDBACK_MAX} rows={3} />
          <button type="submit" class="button button-secondary">
            {t('commitments.feedback.acknowledge')}
          </button>
        </form>
      ) : null}
    </li>
  );
}

function AllyActions({ ctx, c }: { ctx: PageContext; c: CommitmentRecord }) {
  const { t } = ctx.i18n;
  return (
    <>
      {c.state === 'pledged' && c.askKind === 'advocacy' ? (
        <form method="post" action={`/commitments/${c.id}/report`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="button">
            {t('commitments.report')}
          </button>
        </form>
      ) : null}
      {c.state === 'pledged' || c.state === 'waitlisted' ? (
        <form method="post" action={`/commitments/${c.id}/withdraw`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="button button-secondary">
            {t('commitments.withdraw')}
          </button>
        </form>
      ) : null}
    </>
  );
}

/** The ally's own commitments, their states and the feedback on them. */
export function MyCommitmentsPage(props: { ctx: PageContext; commitments: CommitmentRecord[]; feedback: FeedbackRecord[]; next?: string | null; notice?: string | undefined }) {
  const { ctx } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="mine-title" class="stack">
      <h1 id="mine-title">{t('commitments.mine.title')}</h1>
      {props.notice ? (
        <div class="alert" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {props.commitments.length === 0 ? <p>{t('commitments.mine.empty')}</p> : null}
      <ul class="stack">
        {props.commitments.map((c) => {
          const feedback = props.feedback.filter((f) => f.commitmentId === c.id);
          return (
            <li id={`c-${c.id}`} class="stack">
              <h2>
                <a href={`/commitments/${c.id}`}>{c.askTitle}</a>
              </h2>
              <p class="muted">
                {c.communityName} · {stateLabel(ctx, c)}
              </p>
              <p>{promised(ctx, c)}</p>
              {c.outcomeLine ? <p>{c.outcomeLine}</p> : null}
              {what(ctx, c) ? <p>{what(ctx, c)}</p> : null}
              <AllyActions ctx={ctx} c={c} />
              {feedback.length > 0 ? (
                <section aria-label={t('commitments.feedback.title')}>
                  <ul class="stack">
                    {feedback.map((f) => (
                      <FeedbackItem ctx={ctx} feedback={f} canAcknowledge />
                    ))}
                  </ul>
                </section>
              ) : null}
            </li>
          );
        })}
      </ul>
      {props.next ? (
        <p>
          <a href={props.next} rel="next">
            {t('commitments.mine.more')}
          </a>
        </p>
      ) : null}
    </section>
  );
}

function confirmFields(ctx: PageContext, kind: CommitmentRecord['askKind'], currency: string | null, state: FormState, prefix = '') {
  const { t } = ctx.i18n;
  return (
    <>
      {kind === 'shift' || kind === 'skill' || kind === 'attend' ? <TextField name={`${prefix}hours`} label={t('commitments.field.hours')} state={state} inputMode="text" /> : null}
      {kind === 'money' ? <TextField name={`${prefix}amount`} label={t('commitments.field.amount', { currency: currency ?? '' })} state={state} inputMode="text" /> : null}
      {kind === 'supplies' ? <TextField name={`${prefix}quantity`} label={t('commitments.field.quantity')} state={state} inputMode="numeric" /> : null}
      <TextField name={`${prefix}outcomeLine`} label={t('commitments.field.outcomeLine')} state={state} maxLength={OUTCOME_LINE_MAX} />
    </>
  );
}

/** One commitment: for its ally (withdraw, report, feedback) or for an organizer (confirm, feedback, the ally's record). */
export function CommitmentPage(props: {
  ctx: PageContext;
  commitment: CommitmentRecord;
  role: 'ally' | 'organizer';
  canConfirm: boolean;
  showDetail: boolean;
  feedback: FeedbackRecord[];
  record: AllyRecord | null;
  confirmState: FormState;
  feedbackState: FormState;
}) {
  const { ctx, commitment: c } = props;
  const { t } = ctx.i18n;
  return (
    <article aria-labelledby="commitment-title" class="stack">
      <p class="muted">
        <a href={`/asks/${c.askId}`}>{c.askTitle}</a> · {c.communityName}
      </p>
      <h1 id="commitment-title">{props.role === 'ally' ? t('commitments.page.mine') : t('commitments.page.of', { name: allyName(ctx, c) })}</h1>
      <dl>
        <dt>{t('commitments.field.state')}</dt>
        <dd>{stateLabel(ctx, c)}</dd>
        {promised(ctx, c) ? (
          <>
            <dt>{t('commitments.field.promised')}</dt>
            <dd>{promised(ctx, c)}</dd>
          </>
        ) : null}
        {what(ctx, c) ? (
          <>
            <dt>{t('commitments.field.confirmed')}</dt>
            <dd>{what(ctx, c)}</dd>
          </>
        ) : null}
        {c.outcomeLine ? (
          <>
            <dt>{t('commitments.field.outcomeLine')}</dt>
            <dd>{c.outcomeLine}</dd>
          </>
        ) : null}
        {c.locationDetail && props.showDetail ? (
          <>
            <dt>{t('commitments.field.location')}</dt>
            <dd>{c.locationDetail}</dd>
          </>
        ) : null}
      </dl>
      {props.role === 'ally' ? <AllyActions ctx={ctx} c={c} /> : null}
      {props.record ? (
        <section aria-labelledby="record-title">
          <h2 id="record-title">{t('commitments.record.title')}</h2>
          <p class="muted">{t('commitments.record.hint')}</p>
          <dl>
            <dt>{t('commitments.state.done')}</dt>
            <dd>{ctx.i18n.formatNumber(props.record.done)}</dd>
            <dt>{t('commitments.state.partly_done')}</dt>
            <dd>{ctx.i18n.formatNumber(props.record.partlyDone)}</dd>
            <dt>{t('commitments.state.missed')}</dt>
            <dd>{ctx.i18n.formatNumber(props.record.missed)}</dd>
            <dt>{t('commitments.state.withdrawn_late')}</dt>
            <dd>{ctx.i18n.formatNumber(props.record.withdrawnLate)}</dd>
            <dt>{t('commitments.record.feedback')}</dt>
            <dd>{t('commitments.record.feedbackValue', { acknowledged: props.record.feedbackAcknowledged, received: props.record.feedbackReceived })}</dd>
          </dl>
        </section>
      ) : null}
      {props.canConfirm && c.state === 'pledged' ? (
        <section aria-labelledby="confirm-title">
          <h2 id="confirm-title">{t('commitments.confirm.title')}</h2>
          <form method="post" action={`/commitments/${c.id}/confirm`} class="stack" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} state={props.confirmState} labels={{ outcome: t('commitments.field.outcome') }} />
            <ChoiceGroup name="outcome" type="radio" legend={t('commitments.field.outcome')} state={props.confirmState} options={OUTCOMES.map((o) => ({ value: o, label: t(`commitments.state.${o}`) }))} />
            {confirmFields(ctx, c.askKind, c.askCurrency, props.confirmState)}
            <button type="submit" class="button">
              {t('commitments.confirm.submit')}
            </button>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="feedback-title" class="stack">
        <h2 id="feedback-title">{t('commitments.feedback.title')}</h2>
        {props.feedback.length === 0 ? <p class="muted">{t('commitments.feedback.none')}</p> : null}
        <ul class="stack">
          {props.feedback.map((f) => (
            <FeedbackItem ctx={ctx} feedback={f} canAcknowledge={props.role === 'ally'} />
          ))}
        </ul>
        {props.role === 'organizer' ? (
          <form method="post" action={`/commitments/${c.id}/feedback`} class="stack" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} state={props.feedbackState} labels={{ kind: t('commitments.field.feedbackKind'), body: t('commitments.field.feedbackBody') }} />
            <ChoiceGroup name="kind" type="radio" legend={t('commitments.field.feedbackKind')} state={props.feedbackState} options={FEEDBACK_KINDS.map((k) => ({ value: k, label: t(`commitments.feedbackKind.${k}`) }))} />
            <TextArea name="body" label={t('commitments.field.feedbackBody')} hint={t('commitments.field.feedbackBody.hint')} state={props.feedbackState} required maxLength={FEEDBACK_MAX} rows={4} />
            <button type="submit" class="button">
              {t('commitments.feedback.send')}
            </button>
          </form>
        ) : null}
      </section>
    </article>
  );
}

/** Everyone who held a place on an ask, confirmed in one submit. */
export function BulkConfirmPage(props: { ctx: PageContext; ask: CommitAskView; pending: CommitmentRecord[]; others: CommitmentRecord[]; state: FormState; notice?: string | undefined }) {
  const { ctx, ask, state } = props;
  const { t } = ctx.i18n;
  const labels: Record<string, string> = {};
  for (const c of props.pending) for (const f of ['outcome', 'hours', 'amount', 'quantity', 'outcomeLine']) labels[`${c.id}.${f}`] = `${allyName(ctx, c)} · ${t(`commitments.field.${f === 'amount' ? 'amountPlain' : f}`)}`;
  return (
    <section aria-labelledby="bulk-title" class="stack">
      <p class="muted">
        <a href={`/asks/${ask.id}`}>{ask.title}</a> · {ask.communityName}
      </p>
      <h1 id="bulk-title">{t('commitments.bulk.title')}</h1>
      {props.notice ? (
        <div class="alert" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {props.pending.length === 0 ? (
        <p>{t('commitments.bulk.none')}</p>
      ) : (
        <form method="post" action={`/asks/${ask.id}/confirm`} class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} state={state} labels={labels} />
          <p>{t('commitments.bulk.hint')}</p>
          {props.pending.map((c) => (
            <fieldset class="stack">
              <legend>
                <a href={`/commitments/${c.id}`}>{allyName(ctx, c)}</a> {promised(ctx, c)}
              </legend>
              <ChoiceGroup
                name={`${c.id}.outcome`}
                type="radio"
                legend={t('commitments.field.outcome')}
                state={state}
                options={[{ value: '', label: t('commitments.bulk.later') }, ...OUTCOMES.map((o) => ({ value: o, label: t(`commitments.state.${o}`) }))]}
              />
              {confirmFields(ctx, ask.kind, ask.currency, state, `${c.id}.`)}
            </fieldset>
          ))}
          <button type="submit" class="button">
            {t('commitments.bulk.submit')}
          </button>
        </form>
      )}
      {props.others.length > 0 ? (
        <section aria-labelledby="others-title">
          <h2 id="others-title">{t('commitments.bulk.others')}</h2>
          <ul>
            {props.others.map((c) => (
              <li>
                <a href={`/commitments/${c.id}`}>{allyName(ctx, c)}</a> · {stateLabel(ctx, c)} {promised(ctx, c)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
