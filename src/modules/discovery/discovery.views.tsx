import { CsrfField } from '../../platform/views/layout.js';
import { ChoiceGroup, ErrorSummary, SelectField, TextField, type FormState } from '../../platform/views/form.js';
import type { Children, PageContext } from '../../platform/views/render.js';
import { ASK_KINDS } from '../asks/index.js';
import { COMMON_LANGUAGES, SKILLS, skillLabelKey, type Place } from '../profile/index.js';
import { reasonText, shownDistanceKm, type DiscoveredAsk, type FeedItem, type ProfileHint } from './discovery.service.js';
import { FEED_PAGE_SIZE } from './feed.policy.js';
import { searchParams, SORTS, type SearchQuery } from './search.form.js';

/** Distances offered for "within". */
export const WITHIN_CHOICES = [5, 10, 25, 50, 100, 250, 500] as const;

/** What a card says about an ask's free places. */
function placesLine(ctx: PageContext, ask: DiscoveredAsk): string | null {
  const { t } = ctx.i18n;
  if (ask.placesTotal === null || ask.placesTaken === null || ask.placesTotal <= 0) return null;
  const free = Math.max(0, ask.placesTotal - ask.placesTaken);
  if (ask.kind === 'money') {
    const share = Math.min(100, Math.round((ask.placesTaken / ask.placesTotal) * 100));
    return t('discovery.card.moneyShare', { share });
  }
  if (ask.kind === 'supplies') return t('discovery.card.itemsLeft', { free, total: ask.placesTotal });
  return free === 0 ? t('discovery.card.full') : t('discovery.card.placesFree', { free, total: ask.placesTotal });
}

/** One open ask in a list: what it is, whose, where, when and how much room is left. */
function AskCard({ ctx, ask, children }: { ctx: PageContext; ask: DiscoveredAsk; children?: Children }) {
  const { t } = ctx.i18n;
  const where = ask.online
    ? t('asks.online')
    : [ask.areaLabel, ask.distanceKm !== null ? t('discovery.card.distance', { km: shownDistanceKm(ask.distanceKm, ask.locationSensitive) }) : null]
        .filter(Boolean)
        .join(' · ');
  const places = placesLine(ctx, ask);
  return (
    <li class="card" lang={ask.language === ctx.i18n.locale ? undefined : ask.language}>
      <h3 class="card-title">
        <a href={`/asks/${ask.id}`}>{ask.title}</a>
      </h3>
      <p class="muted" lang={ctx.i18n.locale}>
        <a href={`/c/${ask.communitySlug}`}>{ask.communityName}</a> · {t(`asks.kind.${ask.kind}`)}
        {ask.priority === 'urgent' ? ` · ${t('asks.priority.urgent')}` : ''}
      </p>
      <ul class="facts" lang={ctx.i18n.locale}>
        {where ? <li>{where}</li> : null}
        {ask.firstStartsAt ? <li>{t('discovery.card.starts', { date: ctx.i18n.formatDate(new Date(ask.firstStartsAt), 'date') })}</li> : null}
        {places ? <li>{places}</li> : null}
      </ul>
      {children}
    </li>
  );
}

function Pager({ ctx, previous, next }: { ctx: PageContext; previous: string | null; next: string | null }) {
  const { t } = ctx.i18n;
  if (!previous && !next) return null;
  return (
    <nav class="pager" aria-label={t('discovery.pager.label')}>
      {previous ? (
        <a href={previous} rel="prev">
          {t('discovery.pager.previous')}
        </a>
      ) : null}
      {next ? (
        <a href={next} rel="next">
          {t('discovery.pager.next')}
        </a>
      ) : null}
    </nav>
  );
}

/** Labels of the search fields, for the error summary. */
export function searchLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx.i18n;
  return {
    q: t('discovery.field.q'),
    near: t('discovery.field.near'),
    within: t('discovery.field.within'),
    kind: t('discovery.field.kind'),
    skill: t('discovery.field.skill'),
    language: t('discovery.field.language'),
    from: t('discovery.field.from'),
    to: t('discovery.field.to'),
    online: t('discovery.field.online'),
    tag: t('discovery.field.tag'),
    sort: t('discovery.field.sort'),
    place: t('discovery.field.near'),
    cursor: t('discovery.field.after'),
    after: t('discovery.field.after'),
    limit: t('discovery.field.limit'),
  };
}

export interface SearchView {
  state: FormState;
  /** Undefined when the search could not run (errors, or a place to choose). */
  query?: SearchQuery;
  results?: DiscoveredAsk[];
  next?: string | null;
  /** Places to choose from when a name matches several. */
  candidates?: Place[];
  /** Whether the page shows a search someone ran (not the empty form). */
  searched: boolean;
  place?: Place | null;
}

/** The search page: the form (its fields live in the address, so a search can be shared) and one page of results. */
export function SearchPage({ ctx, view }: { ctx: PageContext; view: SearchView }) {
  const { t } = ctx.i18n;
  const { state } = view;
  const moreUsed = ['kind', 'skill', 'language', 'from', 'to', 'online', 'tag'].some((name) => {
    const value = state.values[name];
    return Array.isArray(value) ? value.length > 0 : Boolean(value);
  });
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{t('discovery.search.title')}</h1>
      <p class="lead">{t('discovery.search.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={searchLabels(ctx)} />
      <form method="get" action="/search" role="search" class="stack search-form" aria-label={t('discovery.search.formLabel')}>
        <TextField name="q" type="search" label={t('discovery.field.q')} hint={t('discovery.field.q.hint')} state={state} maxLength={200} />
        <div class="field-row">
          <TextField name="near" label={t('discovery.field.near')} hint={t('discovery.field.near.hint')} state={state} maxLength={120} autocomplete="address-level2" />
          <SelectField
            name="within"
            label={t('discovery.field.within')}
            state={{ ...state, values: { ...state.values, within: state.values.within || '25' } }}
            options={WITHIN_CHOICES.map((km) => ({ value: String(km), label: t('discovery.within.km', { km }) }))}
          />
        </div>
        {view.candidates && view.candidates.length > 0 ? <PlaceChoices ctx={ctx} view={view} /> : null}
        <details class="filters" open={moreUsed || undefined}>
          <summary>{t('discovery.search.moreFilters')}</summary>
          <div class="stack">
            <ChoiceGroup name="kind" legend={t('discovery.field.kind')} state={state} options={ASK_KINDS.map((kind) => ({ value: kind, label: t(`asks.kind.${kind}`) }))} />
            <SelectField
              name="skill"
              label={t('discovery.field.skill')}
              state={state}
              options={[{ value: '', label: t('discovery.any') }, ...SKILLS.map((code) => ({ value: code, label: t(skillLabelKey(code)) }))]}
            />
            <SelectField
              name="language"
              label={t('discovery.field.language')}
              state={state}
              options={[{ value: '', label: t('discovery.any') }, ...COMMON_LANGUAGES.map((l) => ({ value: l.code, label: l.name }))]}
            />
            <div class="field-row">
              <TextField name="from" type="date" label={t('discovery.field.from')} state={state} />
              <TextField name="to" type="date" label={t('discovery.field.to')} state={state} hint={t('discovery.field.to.hint')} />
            </div>
            <SelectField
              name="online"
              label={t('discovery.field.online')}
              state={state}
              options={[
                { value: '', label: t('discovery.online.any') },
                { value: 'only', label: t('discovery.online.only') },
                { value: 'exclude', label: t('discovery.online.exclude') },
              ]}
            />
            <TextField name="tag" label={t('discovery.field.tag')} hint={t('discovery.field.tag.hint')} state={state} maxLength={60} />
          </div>
        </details>
        <SelectField name="sort" label={t('discovery.field.sort')} state={state} options={SORTS.map((s) => ({ value: s, label: t(`discovery.sort.${s}`) }))} />
        <p>
          <button type="submit" class="button">
            {t('discovery.search.submit')}
          </button>
        </p>
      </form>
      {view.searched && view.results ? <SearchResults ctx={ctx} view={view} /> : null}
    </section>
  );
}

function PlaceChoices({ ctx, view }: { ctx: PageContext; view: SearchView }) {
  const { t } = ctx.i18n;
  const raw = view.state.values;
  return (
    <div class="alert" id="place-choices">
      <p>{t('discovery.place.choose')}</p>
      <ul>
        {view.candidates!.map((place) => {
          const params = new URLSearchParams();
          for (const [name, value] of Object.entries(raw)) {
            if (name === 'place' || name === 'after' || name === 'cursor' || value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) if (one !== '') params.append(name, one);
          }
          params.set('place', place.id);
          const label = place.region ? `${place.name}, ${place.region}, ${place.country}` : `${place.name}, ${place.country}`;
          return (
            <li>
              <a href={`/search?${params.toString()}`}>{t('discovery.place.option', { place: label, population: ctx.i18n.formatNumber(place.population) })}</a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function SearchResults({ ctx, view }: { ctx: PageContext; view: SearchView }) {
  const { t } = ctx.i18n;
  const results = view.results!;
  const query = view.query!;
  const first = query.cursor !== null;
  return (
    <section aria-labelledby="results-title" class="stack">
      <h2 id="results-title">{t('discovery.results.title')}</h2>
      {view.place ? (
        <p class="muted">
          {t('discovery.results.near', { place: `${view.place.name}, ${view.place.country}`, km: query.withinKm })}{' '}
          <a href={`/search?${searchParams({ ...query, near: null, place: null, sort: query.sort === 'distance' ? 'date' : query.sort }, { online: 'only' })}`}>{t('discovery.results.onlineToo')}</a>
        </p>
      ) : null}
      {results.length === 0 ? (
        <p>{t('discovery.results.empty')}</p>
      ) : (
        <ul class="card-list">
          {results.map((ask) => (
            <AskCard ctx={ctx} ask={ask} />
          ))}
        </ul>
      )}
      <Pager
        ctx={ctx}
        previous={first ? `/search?${searchParams(query)}` : null}
        next={view.next ? `/search?${searchParams(query, { cursor: view.next })}` : null}
      />
    </section>
  );
}

// ---- feed ------------------------------------------------------------------------------------------

const HINT_LINKS: Record<ProfileHint, string> = {
  home: '/account/profile#field-homeArea',
  skills: '/account/profile#field-skills',
  languages: '/account/profile#field-languages',
  availability: '/account/profile#field-availability',
};

/** The "For you" page: asks ranked for the ally, each with the reasons it is there. */
export function FeedPage(props: {
  ctx: PageContext;
  page: number;
  pages: number;
  previous: string | null;
  next: string | null;
  items: FeedItem[];
  hints: ProfileHint[];
  homeArea: string | null;
  radiusKm: number;
}) {
  const { ctx, page, pages, previous, next, items, hints } = props;
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="feed-title" class="stack">
      <h1 id="feed-title">{t('discovery.feed.title')}</h1>
      <p class="lead">
        {props.homeArea ? t('discovery.feed.leadNear', { place: props.homeArea, km: props.radiusKm }) : t('discovery.feed.leadOnline')}
      </p>
      {hints.length > 0 ? (
        <div class="alert">
          <p>{t('discovery.feed.hints')}</p>
          <ul>
            {hints.map((hint) => (
              <li>
                <a href={HINT_LINKS[hint]}>{t(`discovery.hint.${hint}`)}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {items.length === 0 ? (
        <p>
          {t('discovery.feed.empty')} <a href="/search">{t('discovery.feed.searchInstead')}</a>
        </p>
      ) : (
        <ol class="card-list" start={(page - 1) * FEED_PAGE_SIZE + 1}>
          {items.map((item) => (
            <AskCard ctx={ctx} ask={item.ask}>
              <details class="why">
                <summary>
                  {t('discovery.why.summary')}
                  <span class="visually-hidden"> — {item.ask.title}</span>
                </summary>
                <ul>
                  {item.reasons.length === 0 ? <li>{t('discovery.why.open')}</li> : item.reasons.map((r) => <li>{reasonText(ctx.i18n, r)}</li>)}
                </ul>
              </details>
            </AskCard>
          ))}
        </ol>
      )}
      <Pager ctx={ctx} previous={previous} next={next} />
      {pages > 1 ? <p class="muted">{t('discovery.feed.pageOf', { page, pages })}</p> : null}
    </section>
  );
}

/** In rest mode the feed is replaced by a calm page and a way back. */
export function RestPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="rest-title" class="stack narrow">
      <h1 id="rest-title">{t('discovery.rest.title')}</h1>
      <p>{t('discovery.rest.body')}</p>
      <form method="post" action="/feed/resume">
        <CsrfField ctx={ctx} />
        <button type="submit" class="button">
          {t('discovery.rest.resume')}
        </button>
      </form>
      <p>
        <a href="/account/commitments">{t('discovery.rest.commitments')}</a>
      </p>
    </section>
  );
}
