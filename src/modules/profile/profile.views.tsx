import { CheckboxField, ChoiceGroup, ErrorSummary, TextArea, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField, SubNav } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import type { Place } from './places.js';
import { CAPACITY_MAX_HOURS, DISPLAY_NAME_MAX, HOME_AREA_MAX, IDENTITY_NOTE_MAX, PRONOUNS_MAX, RADIUS_MAX_KM } from './profile.form.js';
import { COMMON_LANGUAGES, DAY_PARTS, skillLabelKey, SKILLS, WEEKDAYS } from './skills.js';

function AccountNav({ ctx, current }: { ctx: PageContext; current: string }) {
  const { t } = ctx.i18n;
  const links = [
    ['/account/profile', t('profile.nav.profile')],
    ['/account/data', t('profile.nav.data')],
  ] as const;
  return <SubNav label={t('profile.nav.label')} links={links} current={current} />;
}

/** Labels of the profile fields, for the error summary. */
function profileLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx.i18n;
  return {
    displayName: t('profile.displayName'),
    pronouns: t('profile.pronouns'),
    languages: t('profile.languages'),
    otherLanguages: t('profile.otherLanguages'),
    skills: t('profile.skills'),
    tags: t('profile.tags'),
    homeArea: t('profile.homeArea'),
    homePlaceId: t('profile.homeArea'),
    travelRadiusKm: t('profile.travelRadius'),
    availability: t('profile.availability'),
    weeklyCapacityHours: t('profile.capacity'),
    restMode: t('profile.restMode'),
    identityNote: t('profile.identityNote'),
  };
}

function placeOptionLabel(ctx: PageContext, place: Place): string {
  const where = place.region ? `${place.name}, ${place.region}, ${place.country}` : `${place.name}, ${place.country}`;
  return ctx.i18n.t('profile.homeArea.option', { place: where, population: ctx.i18n.formatNumber(place.population) });
}

function AvailabilityGrid({ ctx, state }: { ctx: PageContext; state: FormState }) {
  const { t } = ctx.i18n;
  const raw = state.values.availability;
  const selected = new Set(Array.isArray(raw) ? raw : raw ? [raw] : []);
  const error = state.errors.availability;
  return (
    <fieldset class={error ? 'field field-invalid' : 'field'} id="field-availability" tabIndex={-1} aria-describedby="field-availability-hint">
      <legend>{t('profile.availability')}</legend>
      <p class="field-hint" id="field-availability-hint">
        {t('profile.availability.hint')}
      </p>
      {error ? <p class="field-error">{error}</p> : null}
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="availability-caption">
        <table>
          <caption id="availability-caption" class="visually-hidden">
            {t('profile.availability')}
          </caption>
          <thead>
            <tr>
              <td />
              {DAY_PARTS.map((part) => (
                <th scope="col">{t(`profile.part.${part}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((day) => (
              <tr>
                <th scope="row">{t(`profile.day.${day}`)}</th>
                {DAY_PARTS.map((part) => {
                  const id = `slot-${day}-${part}`;
                  return (
                    <td>
                      <input type="checkbox" id={id} name="availability" value={`${day}:${part}`} checked={selected.has(`${day}:${part}`)} />
                      <label for={id} class="visually-hidden">
                        {t('profile.availability.cell', { day: t(`profile.day.${day}`), part: t(`profile.part.${part}`) })}
                      </label>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}

/** The person's own profile form. `candidates` are the places to choose from when the home area was ambiguous. */
export function ProfilePage({ ctx, state, candidates, saved }: { ctx: PageContext; state: FormState; candidates: Place[]; saved: boolean }) {
  const { t } = ctx.i18n;
  const homePlaceId = typeof state.values.homePlaceId === 'string' ? state.values.homePlaceId : '';
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">{t('profile.title')}</h1>
      <AccountNav ctx={ctx} current="/account/profile" />
      {saved ? (
        <div class="alert" role="status">
          <p>{t('profile.saved')}</p>
        </div>
      ) : null}
      <p>{t('profile.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={profileLabels(ctx)} />
      <form method="post" action="/account/profile" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField name="displayName" label={t('profile.displayName')} hint={t('profile.displayName.hint')} state={state} required maxLength={DISPLAY_NAME_MAX} autocomplete="nickname" />
        <TextField name="pronouns" label={t('profile.pronouns')} hint={t('profile.pronouns.hint')} state={state} maxLength={PRONOUNS_MAX} />
        <ChoiceGroup
          name="languages"
          legend={t('profile.languages')}
          hint={t('profile.languages.hint')}
          state={state}
          options={COMMON_LANGUAGES.map((l) => ({ value: l.code, label: l.name, lang: l.code }))}
        />
        <TextField name="otherLanguages" label={t('profile.otherLanguages')} hint={t('profile.otherLanguages.hint')} state={state} maxLength={200} />
        <ChoiceGroup
          name="skills"
          legend={t('profile.skills')}
          hint={t('profile.skills.hint')}
          state={state}
          options={SKILLS.map((code) => ({ value: code, label: t(skillLabelKey(code)) }))}
        />
        <TextField name="tags" label={t('profile.tags')} hint={t('profile.tags.hint')} state={state} maxLength={450} />
        <TextField name="homeArea" label={t('profile.homeArea')} hint={t('profile.homeArea.hint')} state={state} maxLength={HOME_AREA_MAX} autocomplete="off" />
        {candidates.length > 0 ? (
          <ChoiceGroup
            name="homePlaceId"
            type="radio"
            legend={t('profile.homeArea.choose')}
            state={{ values: { homePlaceId: (candidates.find((p) => p.id === homePlaceId) ?? candidates[0]!).id }, errors: {} }}
            options={candidates.map((place) => ({ value: place.id, label: placeOptionLabel(ctx, place) }))}
          />
        ) : homePlaceId ? (
          <input type="hidden" name="homePlaceId" value={homePlaceId} />
        ) : null}
        <TextField
          name="travelRadiusKm"
          type="number"
          inputMode="numeric"
          min={0}
          max={RADIUS_MAX_KM}
          label={t('profile.travelRadius')}
          hint={t('profile.travelRadius.hint', { max: RADIUS_MAX_KM })}
          state={state}
        />
        <AvailabilityGrid ctx={ctx} state={state} />
        <TextField
          name="weeklyCapacityHours"
          type="number"
          inputMode="numeric"
          min={0}
          max={CAPACITY_MAX_HOURS}
          label={t('profile.capacity')}
          hint={t('profile.capacity.hint', { max: CAPACITY_MAX_HOURS })}
          state={state}
        />
        <CheckboxField name="restMode" label={t('profile.restMode')} hint={t('profile.restMode.hint')} state={state} />
        <TextArea name="identityNote" label={t('profile.identityNote')} hint={t('profile.identityNote.hint')} state={state} maxLength={IDENTITY_NOTE_MAX} rows={4} />
        <p>
          <button type="submit" class="button">
            {t('profile.submit')}
          </button>
        </p>
      </form>
    </section>
  );
}

/** What the person can download, and the way to delete the account. */
export function DataPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">{t('data.title')}</h1>
      <AccountNav ctx={ctx} current="/account/data" />
      <h2>{t('data.export.title')}</h2>
      <p>{t('data.export.explain')}</p>
      <ul>
        <li>
          <a href="/account/data/export.json" download>
            {t('data.export.json')}
          </a>
        </li>
        <li>
          <a href="/account/data/sessions.csv" download>
            {t('data.export.sessions')}
          </a>
        </li>
        <li>
          <a href="/account/data/audit.csv" download>
            {t('data.export.audit')}
          </a>
        </li>
      </ul>
      <p class="muted">{t('data.export.secrets')}</p>
      <h2>{t('data.delete.title')}</h2>
      <p>{t('data.delete.explain')}</p>
      <p>
        <a href="/account/data/delete">{t('data.delete.link')}</a>
      </p>
    </section>
  );
}

/** Confirms deleting the account: the password, an explicit checkbox, and what happens to what they wrote. */
export function DeletePage({ ctx, state }: { ctx: PageContext; state: FormState }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow" aria-labelledby="delete-title">
      <h1 id="delete-title">{t('data.delete.title')}</h1>
      <p>{t('data.delete.explain')}</p>
      <p>{t('data.delete.exportFirst')}</p>
      <ErrorSummary
        ctx={ctx}
        state={state}
        labels={{ password: t('data.delete.password'), confirm: t('data.delete.confirm'), content: t('data.delete.content') }}
      />
      <form method="post" action="/account/data/delete" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <ChoiceGroup
          name="content"
          type="radio"
          legend={t('data.delete.content')}
          hint={t('data.delete.content.hint')}
          state={state}
          options={[
            { value: 'delete', label: t('data.delete.content.delete') },
            { value: 'anonymise', label: t('data.delete.content.anonymise') },
          ]}
        />
        <TextField name="password" type="password" label={t('data.delete.password')} state={state} required autocomplete="current-password" />
        <CheckboxField name="confirm" label={t('data.delete.confirm')} state={state} />
        <p>
          <button type="submit" class="button">
            {t('data.delete.submit')}
          </button>
        </p>
      </form>
      <p>
        <a href="/account/data">{t('data.delete.cancel')}</a>
      </p>
    </section>
  );
}

/** Shown once the account is gone. */
export function GoodbyePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow" aria-labelledby="goodbye-title">
      <h1 id="goodbye-title">{t('data.goodbye.title')}</h1>
      <p>{t('data.goodbye.text')}</p>
      <p>
        <a href="/">{t('data.goodbye.home')}</a>
      </p>
    </section>
  );
}
