import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import type { CommunitySummary } from '../communities/index.js';
import { formatMoney } from '../../platform/money.js';
import { hours, type Ledger, type Totals } from './ledger.service.js';

function supplyLabel(ctx: PageContext, s: Totals['supplies'][number]): string {
  return s.unit ? ctx.i18n.t('ledger.supplyWithUnit', { item: s.item, quantity: ctx.i18n.formatNumber(s.quantity), unit: s.unit }) : ctx.i18n.t('ledger.supply', { item: s.item, quantity: ctx.i18n.formatNumber(s.quantity) });
}

/** The figures of a ledger or of one ask, as a description list. */
function TotalsList(props: { ctx: PageContext; totals: Totals; people?: boolean }) {
  const { ctx, totals } = props;
  const { t } = ctx.i18n;
  return (
    <dl class="stack">
      <div>
        <dt>{t('ledger.hours')}</dt>
        <dd>{t('ledger.hoursValue', { hours: hours(totals.minutes) })}</dd>
      </div>
      {totals.money.length > 0 ? (
        <div>
          <dt>{t('ledger.money')}</dt>
          {totals.money.map((m) => (
            <dd>{formatMoney(ctx.i18n, m.amountMinor, m.currency)}</dd>
          ))}
        </div>
      ) : null}
      {totals.supplies.length > 0 ? (
        <div>
          <dt>{t('ledger.supplies')}</dt>
          {totals.supplies.map((s) => (
            <dd>{supplyLabel(ctx, s)}</dd>
          ))}
        </div>
      ) : null}
      {totals.advocacy.confirmed > 0 || totals.advocacy.selfReported > 0 ? (
        <div>
          <dt>{t('ledger.advocacy')}</dt>
          <dd>{t('ledger.advocacyConfirmed', { count: totals.advocacy.confirmed })}</dd>
          <dd>{t('ledger.advocacySelfReported', { count: totals.advocacy.selfReported })}</dd>
        </div>
      ) : null}
      {props.people ? (
        <div>
          <dt>{t('ledger.people')}</dt>
          <dd>{t('ledger.allies', { count: totals.allies })}</dd>
          <dd>{t('ledger.returning', { count: totals.returningAllies })}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** A community's ledger: what was really done, as the community confirmed it. */
export function LedgerPage(props: { ctx: PageContext; ledger: Ledger; community: CommunitySummary; names: boolean }) {
  const { ctx, ledger, community } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="ledger-title" class="stack">
      <p>
        <a href={`/c/${community.slug}`}>{community.name}</a>
      </p>
      <h1 id="ledger-title">{t('ledger.title', { name: community.name })}</h1>
      <p>{t('ledger.intro')}</p>
      <p class="muted">{community.ledgerVisibility === 'members' ? t('ledger.visibility.members') : t('ledger.visibility.public')}</p>
      <section aria-labelledby="ledger-totals" class="stack">
        <h2 id="ledger-totals">{t('ledger.totals')}</h2>
        <TotalsList ctx={ctx} totals={ledger.totals} people />
        <p class="muted">{t('ledger.selfReportedNote')}</p>
      </section>
      <section aria-labelledby="ledger-asks" class="stack">
        <h2 id="ledger-asks">{t('ledger.closedAsks')}</h2>
        {ledger.closedAsks.length === 0 ? <p>{t('ledger.noClosedAsks')}</p> : null}
        <ul class="stack">
          {ledger.closedAsks.map((a) => (
            <li class="stack">
              <h3>{a.title}</h3>
              <p class="muted">{t('ledger.closedOn', { date: ctx.i18n.formatDate(a.closedAt) })}</p>
              {a.outcomeNote ? (
                <blockquote>
                  <p>{a.outcomeNote}</p>
                </blockquote>
              ) : null}
              <TotalsList ctx={ctx} totals={a.totals} />
            </li>
          ))}
        </ul>
      </section>
      <p>
        <a href={`/c/${community.slug}/ledger.csv`} download>
          {t('ledger.download')}
        </a>{' '}
        <span class="muted">{props.names ? t('ledger.csvWithNames') : t('ledger.csvWithoutNames')}</span>
      </p>
      <p>
        <a href={`/c/${community.slug}/calendar.ics`}>{t('calendar.communityLink')}</a>
      </p>
    </section>
  );
}

/** The ally's private calendar feed: make, reset or turn off its secret address. */
export function CalendarAccountPage(props: { ctx: PageContext; feed: { createdAt: Date } | undefined; newUrl?: string | undefined; notice?: string | undefined }) {
  const { ctx, feed } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="calendar-title" class="stack">
      <h1 id="calendar-title">{t('calendar.account.title')}</h1>
      <p>{t('calendar.account.intro')}</p>
      {props.notice ? (
        <div class="alert" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {props.newUrl ? (
        <div class="alert" role="status">
          <p>{t('calendar.account.newUrl')}</p>
          <p>
            <label for="feed-url">{t('calendar.account.urlLabel')}</label>
            <input id="feed-url" type="text" readonly value={props.newUrl} size={60} />
          </p>
          <p>{t('calendar.account.once')}</p>
        </div>
      ) : feed ? (
        <p>{t('calendar.account.active', { date: ctx.i18n.formatDate(feed.createdAt) })}</p>
      ) : (
        <p>{t('calendar.account.none')}</p>
      )}
      <p class="muted">{t('calendar.account.privacy')}</p>
      <form method="post" action="/account/calendar/reset">
        <CsrfField ctx={ctx} />
        <button type="submit">{feed ? t('calendar.account.reset') : t('calendar.account.create')}</button>
      </form>
      {feed ? (
        <form method="post" action="/account/calendar/delete">
          <CsrfField ctx={ctx} />
          <button type="submit">{t('calendar.account.delete')}</button>
        </form>
      ) : null}
    </section>
  );
}
