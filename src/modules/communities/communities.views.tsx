import { ChoiceGroup, CheckboxField, ErrorSummary, TextArea, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import type { Place } from '../profile/index.js';
import {
  ANSWER_MAX,
  AREA_MAX,
  CHANNEL_DETAILS_MAX,
  CHANNEL_LABEL_MAX,
  CHANNELS_MAX,
  HOW_TO_HELP_MAX,
  MISSION_MAX,
  NAME_MAX,
  NOTE_MAX,
  QUESTION_MAX,
  QUESTIONS_MAX,
} from './communities.forms.js';
import type { CommunityListItem, CommunityRecord, JoinRequestRow, MembershipRow } from './communities.repository.js';
import type { CommunityView } from './communities.service.js';

/** Labels of the community form's fields, for the error summary. */
function formLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx.i18n;
  const labels: Record<string, string> = {
    name: t('communities.field.name'),
    mission: t('communities.field.mission'),
    kind: t('communities.field.kind'),
    ledBy: t('communities.field.ledBy'),
    serves: t('communities.field.serves'),
    online: t('communities.field.online'),
    area: t('communities.field.area'),
    areaPlaceId: t('communities.field.area'),
    languages: t('communities.field.languages'),
    howToHelp: t('communities.field.howToHelp'),
    ledgerVisibility: t('communities.field.ledgerVisibility'),
  };
  for (let i = 1; i <= CHANNELS_MAX; i += 1) {
    labels[`donationLabel${i}`] = t('communities.field.channelLabel', { n: i });
    labels[`donationDetails${i}`] = t('communities.field.channelDetails', { n: i });
  }
  for (let i = 1; i <= QUESTIONS_MAX; i += 1) labels[`question${i}`] = t('communities.field.question', { n: i });
  return labels;
}

function placeOption(place: Place): string {
  return place.region ? `${place.name}, ${place.region}, ${place.country}` : `${place.name}, ${place.country}`;
}

/** The propose and edit form. */
export function CommunityFormPage({ ctx, state, mode, action, candidates }: { ctx: PageContext; state: FormState; mode: 'propose' | 'edit'; action: string; candidates: Place[] }) {
  const { t } = ctx.i18n;
  const labels = formLabels(ctx);
  const title = mode === 'propose' ? t('communities.propose.title') : t('communities.edit.title');
  return (
    <section class="narrow stack" aria-labelledby="community-form-title">
      <h1 id="community-form-title">{title}</h1>
      {mode === 'propose' ? <p class="lead">{t('communities.propose.lead')}</p> : null}
      <ErrorSummary ctx={ctx} state={state} labels={labels} />
      <form method="post" action={action} class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField name="name" label={labels.name!} state={state} required maxLength={NAME_MAX} />
        <TextArea name="mission" label={labels.mission!} hint={t('communities.field.missionHint')} state={state} required maxLength={MISSION_MAX} rows={5} />
        {mode === 'propose' ? (
          <ChoiceGroup
            name="kind"
            type="radio"
            legend={labels.kind!}
            state={state}
            options={[
              { value: 'community', label: t('communities.kind.community') },
              { value: 'supporter_group', label: t('communities.kind.supporter_group') },
            ]}
            hint={t('communities.field.kindHint')}
          />
        ) : null}
        <TextField name="ledBy" label={labels.ledBy!} hint={t('communities.field.tagsHint')} state={state} required />
        <TextField name="serves" label={labels.serves!} hint={t('communities.field.tagsHint')} state={state} required />
        <CheckboxField name="online" label={labels.online!} state={state} />
        <TextField name="area" label={labels.area!} hint={t('communities.field.areaHint')} state={state} maxLength={AREA_MAX} />
        {candidates.length > 0 ? (
          <ChoiceGroup
            name="areaPlaceId"
            type="radio"
            legend={t('communities.field.areaChoose')}
            state={state}
            options={candidates.map((p) => ({ value: p.id, label: placeOption(p) }))}
          />
        ) : null}
        <TextField name="languages" label={labels.languages!} hint={t('communities.field.languagesHint')} state={state} required />
        <TextArea name="howToHelp" label={labels.howToHelp!} state={state} maxLength={HOW_TO_HELP_MAX} />
        <ChoiceGroup
          name="ledgerVisibility"
          type="radio"
          legend={labels.ledgerVisibility!}
          state={state}
          options={[
            { value: 'public', label: t('communities.ledger.public') },
            { value: 'members', label: t('communities.ledger.members') },
          ]}
        />
        <fieldset class="field stack">
          <legend>{t('communities.field.channels')}</legend>
          <p class="field-hint">{t('communities.field.channelsHint')}</p>
          {Array.from({ length: CHANNELS_MAX }, (_, i) => (
            <div class="stack">
              <TextField name={`donationLabel${i + 1}`} label={labels[`donationLabel${i + 1}`]!} state={state} maxLength={CHANNEL_LABEL_MAX} />
              <TextArea name={`donationDetails${i + 1}`} label={labels[`donationDetails${i + 1}`]!} state={state} maxLength={CHANNEL_DETAILS_MAX} rows={2} />
            </div>
          ))}
        </fieldset>
        <fieldset class="field stack">
          <legend>{t('communities.field.questions')}</legend>
          <p class="field-hint">{t('communities.field.questionsHint', { max: QUESTIONS_MAX })}</p>
          {Array.from({ length: QUESTIONS_MAX }, (_, i) => (
            <TextField name={`question${i + 1}`} label={labels[`question${i + 1}`]!} state={state} maxLength={QUESTION_MAX} />
          ))}
        </fieldset>
        <button type="submit" class="button">
          {mode === 'propose' ? t('communities.propose.submit') : t('communities.edit.submit')}
        </button>
      </form>
    </section>
  );
}

function statusLabel(ctx: PageContext, status: string): string {
  return ctx.i18n.t(`communities.status.${status}`);
}

/** The list of verified communities. */
export function CommunityListPage({ ctx, items, next }: { ctx: PageContext; items: CommunityListItem[]; next: string | null }) {
  const { t } = ctx.i18n;
  return (
    <section class="stack" aria-labelledby="communities-title">
      <h1 id="communities-title">{t('communities.list.title')}</h1>
      {ctx.viewer ? (
        <p>
          <a href="/communities/new" class="button">
            {t('communities.list.propose')}
          </a>
        </p>
      ) : null}
      {items.length === 0 ? (
        <p>{t('communities.list.empty')}</p>
      ) : (
        <ul class="card-list">
          {items.map((c) => (
            <li class="card">
              <h2 class="card-title">
                <a href={`/c/${c.slug}`}>{c.name}</a>
              </h2>
              <p class="meta">
                {c.kind === 'supporter_group' ? `${t('communities.kind.supporter_group')} · ` : ''}
                {c.online ? t('communities.online') : (c.areaLabel ?? '')}
              </p>
              <p>{c.mission.length > 200 ? `${c.mission.slice(0, 200)}…` : c.mission}</p>
            </li>
          ))}
        </ul>
      )}
      {next ? (
        <p>
          <a href={next} rel="next">
            {t('communities.list.more')}
          </a>
        </p>
      ) : null}
    </section>
  );
}

function PostButton({ ctx, action, label, hidden }: { ctx: PageContext; action: string; label: string; hidden?: string }) {
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField ctx={ctx} />
      <button type="submit" class="button button-small">
        {label}
        {hidden ? <span class="visually-hidden"> {hidden}</span> : null}
      </button>
    </form>
  );
}

function Tags({ tags }: { tags: string[] }) {
  return (
    <ul class="tags">
      {tags.map((tag) => (
        <li>{tag}</li>
      ))}
    </ul>
  );
}

/** What a community says about itself: mission, who leads it and whom it serves, where, languages, how to help, where money goes. */
function CommunityFacts({ ctx, record }: { ctx: PageContext; record: CommunityRecord }) {
  const { t } = ctx.i18n;
  return (
    <>
      <p class="lead">{record.mission}</p>
      <dl>
        <dt>{t('communities.field.ledBy')}</dt>
        <dd>
          <Tags tags={record.ledBy} />
        </dd>
        <dt>{t('communities.field.serves')}</dt>
        <dd>
          <Tags tags={record.serves} />
        </dd>
        <dt>{t('communities.where')}</dt>
        <dd>{record.online ? (record.areaLabel ? t('communities.onlineAnd', { area: record.areaLabel }) : t('communities.online')) : record.areaLabel}</dd>
        <dt>{t('communities.field.languages')}</dt>
        <dd>{record.languages.join(', ')}</dd>
        <dt>{t('communities.field.ledgerVisibility')}</dt>
        <dd>{t(`communities.ledger.${record.ledgerVisibility}`)}</dd>
      </dl>
      {record.howToHelp ? (
        <section aria-labelledby="how-to-help">
          <h2 id="how-to-help">{t('communities.field.howToHelp')}</h2>
          <p class="pre-line">{record.howToHelp}</p>
        </section>
      ) : null}
      {record.donationChannels.length > 0 ? (
        <section aria-labelledby="donations">
          <h2 id="donations">{t('communities.field.channels')}</h2>
          <p class="muted">{t('communities.channels.note')}</p>
          <dl>
            {record.donationChannels.map((c) => (
              <>
                <dt>{c.label}</dt>
                <dd class="pre-line">{c.details}</dd>
              </>
            ))}
          </dl>
        </section>
      ) : null}
    </>
  );
}

/** A community's own page, with the actions the viewer has. */
export function CommunityPage({ ctx, view, joinState }: { ctx: PageContext; view: CommunityView; joinState: FormState }) {
  const { t } = ctx.i18n;
  const { record, access } = view;
  const base = `/c/${record.slug}`;
  const allowed = (action: Parameters<CommunityView['can']>[0]) => view.can(action) === 'allow';
  const questionLabels = Object.fromEntries(record.joinQuestions.map((q, i) => [`answer${i + 1}`, q]));
  return (
    <article class="stack" aria-labelledby="community-title">
      <h1 id="community-title">{record.name}</h1>
      <p class="meta">
        {record.kind === 'supporter_group' ? `${t('communities.kind.supporter_group')} · ` : ''}
        {record.status !== 'verified' ? statusLabel(ctx, record.status) : t('communities.status.verified')}
      </p>
      {record.status !== 'verified' && record.moderationNote ? (
        <p class="alert">{t('communities.moderationNote', { note: record.moderationNote })}</p>
      ) : null}
      {ctx.viewer ? (
        <section class="card stack" aria-labelledby="your-role">
          <h2 id="your-role" class="card-title">
            {t('communities.yourRole')}
          </h2>
          <p>{access.role ? t(`communities.role.${access.role}`) : t('communities.role.none')}</p>
          {view.pendingRequest ? <p>{t('communities.join.pending')}</p> : null}
          <div class="actions">
            {allowed('follow') && access.role === null ? <PostButton ctx={ctx} action={`${base}/follow`} label={t('communities.action.follow')} /> : null}
            {access.role === 'ally' ? <PostButton ctx={ctx} action={`${base}/unfollow`} label={t('communities.action.unfollow')} /> : null}
            {(access.role === 'member' || access.role === 'organizer') && allowed('leave') ? (
              <PostButton ctx={ctx} action={`${base}/leave`} label={t('communities.action.leave')} />
            ) : null}
            {allowed('step_down') ? <PostButton ctx={ctx} action={`${base}/step-down`} label={t('communities.action.stepDown')} /> : null}
          </div>
          {access.role === 'organizer' && view.organizers <= 1 ? <p class="muted">{t('communities.lastOrganizer')}</p> : null}
          {access.role === 'organizer' ? (
            <ul>
              <li>
                <a href={`${base}/edit`}>{t('communities.action.edit')}</a>
              </li>
              <li>
                <a href={`${base}/people`}>{t('communities.action.people')}</a>
              </li>
            </ul>
          ) : null}
        </section>
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(base)}`}>{t('communities.signInToAct')}</a>
        </p>
      )}
      {record.status === 'verified' && record.kind === 'community' ? (
        <ul>
          <li>
            <a href={`${base}/asks`}>{t('communities.asksLink')}</a>
          </li>
          {record.ledgerVisibility === 'public' || access.role === 'organizer' || access.role === 'member' ? (
            <li>
              <a href={`${base}/ledger`}>{t('communities.ledgerLink')}</a>
            </li>
          ) : null}
        </ul>
      ) : null}
      <CommunityFacts ctx={ctx} record={record} />
      {allowed('request_join') && !view.pendingRequest ? (
        <section class="stack" aria-labelledby="join-title">
          <h2 id="join-title">{t('communities.join.title')}</h2>
          <p>{t('communities.join.lead')}</p>
          <ErrorSummary ctx={ctx} state={joinState} labels={questionLabels} />
          <form method="post" action={`${base}/join`} class="stack" novalidate>
            <CsrfField ctx={ctx} />
            {record.joinQuestions.map((question, i) => (
              <TextArea name={`answer${i + 1}`} label={question} state={joinState} required maxLength={ANSWER_MAX} rows={3} />
            ))}
            <button type="submit" class="button">
              {t('communities.join.submit')}
            </button>
          </form>
        </section>
      ) : null}
    </article>
  );
}

function PersonActions({ ctx, base, person, self }: { ctx: PageContext; base: string; person: MembershipRow; self: boolean }) {
  const { t } = ctx.i18n;
  if (self) return null;
  const url = `${base}/people/${person.userId}`;
  return (
    <div class="actions">
      {person.role === 'member' ? <PostButton ctx={ctx} action={`${url}/promote`} label={t('communities.people.promote')} hidden={person.displayName} /> : null}
      {person.role !== 'organizer' ? <PostButton ctx={ctx} action={`${url}/remove`} label={t('communities.people.remove')} hidden={person.displayName} /> : null}
      {person.role !== 'organizer' ? <PostButton ctx={ctx} action={`${url}/block`} label={t('communities.people.block')} hidden={person.displayName} /> : null}
    </div>
  );
}

/** The organizers' page: roles, join requests, invitations and blocks. */
export function PeoplePage({
  ctx,
  view,
  people,
  invite,
}: {
  ctx: PageContext;
  view: CommunityView;
  people: { memberships: MembershipRow[]; blocks: Array<{ userId: string; displayName: string }>; requests: JoinRequestRow[] };
  invite?: { url: string; expiresAt: Date };
}) {
  const { t } = ctx.i18n;
  const { record } = view;
  const base = `/c/${record.slug}`;
  const groups = (['organizer', 'member', 'ally'] as const).map((role) => [role, people.memberships.filter((m) => m.role === role)] as const);
  return (
    <section class="stack" aria-labelledby="people-title">
      <h1 id="people-title">{t('communities.people.title', { name: record.name })}</h1>
      <p>
        <a href={base}>{t('communities.people.back')}</a>
      </p>
      <section class="card stack" aria-labelledby="invite-title">
        <h2 id="invite-title" class="card-title">
          {t('communities.invite.title')}
        </h2>
        {invite ? (
          <div class="alert" role="status">
            <p>{t('communities.invite.once')}</p>
            <p>
              <code>{invite.url}</code>
            </p>
            <p>{t('communities.invite.expires', { date: ctx.i18n.formatDate(invite.expiresAt) })}</p>
          </div>
        ) : (
          <p>{t('communities.invite.lead')}</p>
        )}
        <PostButton ctx={ctx} action={`${base}/invites`} label={t('communities.invite.create')} />
      </section>
      <section class="stack" aria-labelledby="requests-title">
        <h2 id="requests-title">{t('communities.requests.title')}</h2>
        {people.requests.length === 0 ? (
          <p>{t('communities.requests.none')}</p>
        ) : (
          <ul class="card-list">
            {people.requests.map((r) => (
              <li class="card stack">
                <h3 class="card-title">{r.displayName}</h3>
                <dl>
                  {record.joinQuestions.map((q, i) => (
                    <>
                      <dt>{q}</dt>
                      <dd class="pre-line">{r.answers[i] ?? ''}</dd>
                    </>
                  ))}
                </dl>
                <div class="actions">
                  <PostButton ctx={ctx} action={`${base}/requests/${r.id}/approve`} label={t('communities.requests.approve')} hidden={r.displayName} />
                  <PostButton ctx={ctx} action={`${base}/requests/${r.id}/decline`} label={t('communities.requests.decline')} hidden={r.displayName} />
                  <PostButton ctx={ctx} action={`${base}/people/${r.userId}/block`} label={t('communities.people.block')} hidden={r.displayName} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {groups.map(([role, list]) => (
        <section class="stack" aria-labelledby={`people-${role}`}>
          <h2 id={`people-${role}`}>{t(`communities.people.group.${role}`, { count: list.length })}</h2>
          {list.length === 0 ? (
            <p>{t('communities.people.none')}</p>
          ) : (
            <ul class="card-list">
              {list.map((person) => (
                <li class="card">
                  <p>
                    {person.displayName}
                    {person.userId === ctx.viewer?.id ? ` (${t('communities.people.you')})` : ''}
                  </p>
                  <PersonActions ctx={ctx} base={base} person={person} self={person.userId === ctx.viewer?.id} />
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
      <section class="stack" aria-labelledby="blocked-title">
        <h2 id="blocked-title">{t('communities.blocks.title')}</h2>
        {people.blocks.length === 0 ? (
          <p>{t('communities.people.none')}</p>
        ) : (
          <ul class="card-list">
            {people.blocks.map((b) => (
              <li class="card">
                <p>{b.displayName}</p>
                <PostButton ctx={ctx} action={`${base}/people/${b.userId}/unblock`} label={t('communities.people.unblock')} hidden={b.displayName} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}

/** The page an invitation link opens: one button to accept. */
export function InvitePage({ ctx, token, name }: { ctx: PageContext; token: string; name: string }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow stack" aria-labelledby="invite-page-title">
      <h1 id="invite-page-title">{t('communities.invite.pageTitle', { name })}</h1>
      <p>{t('communities.invite.pageLead', { name })}</p>
      <form method="post" action="/invites" class="stack">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="token" value={token} />
        <button type="submit" class="button">
          {t('communities.invite.accept')}
        </button>
      </form>
    </section>
  );
}

/** Every refused invitation looks the same: used, expired or unknown. */
export function InviteGonePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow stack" aria-labelledby="invite-gone-title">
      <h1 id="invite-gone-title">{t('communities.invite.goneTitle')}</h1>
      <p>{t('communities.invite.gone')}</p>
      <p>
        <a href="/communities">{t('communities.list.title')}</a>
      </p>
    </section>
  );
}

/** The moderators' queue of proposals, each with everything needed to judge it and a note to verify or reject. */
export function ModerationPage({ ctx, queue, states }: { ctx: PageContext; queue: CommunityRecord[]; states: Record<string, FormState> }) {
  const { t } = ctx.i18n;
  return (
    <section class="stack" aria-labelledby="moderation-title">
      <h1 id="moderation-title">{t('moderation.communities.title')}</h1>
      <p>{t('moderation.communities.lead')}</p>
      {queue.length === 0 ? (
        <p>{t('moderation.communities.empty')}</p>
      ) : (
        queue.map((record) => {
          const state = states[record.id] ?? { values: {}, errors: {} };
          const noteId = `note-${record.id}`;
          const error = state.errors.note;
          return (
            <article class="card stack" aria-labelledby={`proposal-${record.id}`}>
              <h2 id={`proposal-${record.id}`} class="card-title">
                <a href={`/c/${record.slug}`}>{record.name}</a>
              </h2>
              <p class="meta">
                {t(`communities.kind.${record.kind}`)} ·{' '}
                {t('moderation.communities.proposedBy', { name: record.proposerName ?? t('moderation.communities.unknown'), date: ctx.i18n.formatDate(record.createdAt) })}
              </p>
              <CommunityFacts ctx={ctx} record={record} />
              {record.joinQuestions.length > 0 ? (
                <>
                  <h3>{t('communities.field.questions')}</h3>
                  <ul>
                    {record.joinQuestions.map((q) => (
                      <li>{q}</li>
                    ))}
                  </ul>
                </>
              ) : null}
              <form method="post" action={`/moderation/communities/${record.slug}/verify`} class="stack" novalidate>
                <CsrfField ctx={ctx} />
                <div class={error ? 'field field-invalid' : 'field'}>
                  <label for={noteId}>{t('moderation.communities.note')}</label>
                  <p class="field-hint" id={`${noteId}-hint`}>
                    {t('moderation.communities.noteHint')}
                  </p>
                  {error ? (
                    <p class="field-error" id={`${noteId}-error`}>
                      {error}
                    </p>
                  ) : null}
                  <textarea
                    id={noteId}
                    name="note"
                    rows={3}
                    maxLength={NOTE_MAX}
                    aria-invalid={error ? 'true' : undefined}
                    aria-describedby={error ? `${noteId}-hint ${noteId}-error` : `${noteId}-hint`}
                  >
                    {typeof state.values.note === 'string' ? state.values.note : ''}
                  </textarea>
                </div>
                <div class="actions">
                  <button type="submit" class="button">
                    {t('moderation.communities.verify')}
                  </button>
                  <button type="submit" class="button" formaction={`/moderation/communities/${record.slug}/reject`}>
                    {t('moderation.communities.reject')}
                  </button>
                </div>
              </form>
            </article>
          );
        })
      )}
    </section>
  );
}

/** A conflict explained on a page (the last organizer leaving, a request already waiting…). */
export function ConflictPage({ ctx, message, back }: { ctx: PageContext; message: string; back: string }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow stack" aria-labelledby="conflict-title">
      <h1 id="conflict-title">{t('communities.conflict.title')}</h1>
      <p role="alert">{message}</p>
      <p>
        <a href={back}>{t('communities.people.back')}</a>
      </p>
    </section>
  );
}
