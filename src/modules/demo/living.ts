import type { AppContext } from '../../platform/module.js';
import type { Viewer } from '../../platform/views/render.js';
import { changeStatus, createAsk, flattenAskJson, getVisibleAsk, listVisibleAsks, parseAsk } from '../asks/index.js';
import { acknowledge, commit, commitOptions, confirm, getVisibleCommitment, giveFeedback, report, withdraw, type CommitInput } from '../commitments/index.js';
import {
  acceptInvite,
  actOnPerson,
  createInvite,
  decideJoinRequest,
  follow,
  getCommunityAccess,
  moderateCommunity,
  parseCommunityJson,
  peopleOf,
  proposeCommunity,
  requestToJoin,
  slugify,
} from '../communities/index.js';
import { DEMO_COMMUNITIES, demoAsks, type DemoAsk, type DemoCommitment, type DemoCommunity } from './communities.data.js';

type Ctx = AppContext;

const REQUEST_ID = 'seed-demo';

/** What one run added, for the summary. */
export interface LivingCounts {
  communities: number;
  asks: number;
  commitments: number;
  feedback: number;
}

function fail(what: string, detail: unknown): never {
  throw new Error(`The demo could not ${what}: ${JSON.stringify(detail)}`);
}

/** The viewer of a demo person, by e-mail. */
type People = (email: string) => Viewer;

async function seedCommunity(ctx: Ctx, people: People, moderator: Viewer, demo: DemoCommunity, counts: LivingCounts): Promise<string> {
  const organizer = people(demo.organizer);
  const slug = slugify(String(demo.proposal.name));
  let access = await getCommunityAccess(ctx.db, slug, organizer);
  if (!access) {
    const parsed = parseCommunityJson(demo.proposal);
    if (!parsed.ok) fail(`read the proposal of ${slug}`, parsed.errors);
    const saved = await proposeCommunity(ctx.db, { viewer: organizer, community: parsed.value, requestId: REQUEST_ID });
    if (!saved.ok || saved.slug !== slug) fail(`propose ${slug}`, saved);
    counts.communities += 1;
    access = (await getCommunityAccess(ctx.db, slug, organizer))!;
  }
  const communityId = access.community.id;
  if (demo.verifyNote && access.community.status === 'pending') {
    await moderateCommunity(ctx.db, { viewer: moderator, communityId, decision: 'verified', note: demo.verifyNote, requestId: REQUEST_ID });
  }

  for (const member of demo.members) {
    const person = people(member.email);
    const relation = await getCommunityAccess(ctx.db, communityId, person);
    if (relation?.role === 'member' || relation?.role === 'organizer') continue;
    if (member.via === 'invite') {
      // The organizer makes a link and the person opens it, as they would from a message.
      const { token } = await createInvite(ctx.db, { viewer: organizer, communityId, requestId: REQUEST_ID });
      const used = await acceptInvite(ctx.db, { viewer: person, token, requestId: REQUEST_ID });
      if (used.result !== 'ok') fail(`let ${member.email} accept an invitation`, used);
    } else {
      const asked = await requestToJoin(ctx.db, { viewer: person, communityId, answers: member.answers, requestId: REQUEST_ID });
      if (asked !== 'ok') fail(`let ${member.email} ask to join`, asked);
      const request = (await peopleOf(ctx.db, communityId)).requests.find((r) => r.userId === person.id);
      if (!request) fail(`find the join request of ${member.email}`, slug);
      const decided = await decideJoinRequest(ctx.db, { viewer: organizer, communityId, joinRequestId: request.id, approve: true, requestId: REQUEST_ID });
      if (decided !== 'ok') fail(`approve ${member.email}`, decided);
    }
  }
  for (const email of demo.coOrganizers ?? []) {
    const relation = await getCommunityAccess(ctx.db, communityId, people(email));
    if (relation?.role === 'member') await actOnPerson(ctx, { viewer: organizer, communityId, userId: people(email).id, action: 'promote', requestId: REQUEST_ID });
  }
  for (const email of demo.allies) {
    const followed = await follow(ctx.db, { viewer: people(email), communityId, requestId: REQUEST_ID });
    if (followed !== 'ok') fail(`let ${email} follow ${slug}`, followed);
  }
  return communityId;
}

async function seedCommitment(ctx: Ctx, people: People, organizer: Viewer, askId: string, demo: DemoCommitment, counts: LivingCounts): Promise<void> {
  const ally = people(demo.who);
  const found = await getVisibleAsk(ctx.db, askId, ally);
  if (!found) fail(`show an ask to ${demo.who}`, askId);
  const { ask } = found;
  const options = await commitOptions(ctx, ask);
  const input: CommitInput = {
    windowId: demo.window === undefined ? null : (options.windows[demo.window]?.id ?? fail('find a window', demo)),
    itemId: demo.item === undefined ? null : (options.items[demo.item]?.id ?? fail('find an item', demo)),
    quantity: demo.quantity ?? null,
    amountMinor: demo.amountMinor ?? null,
    channelId: demo.channel === undefined ? null : (options.channels[demo.channel]?.id ?? fail('find a donation channel', demo)),
    idempotencyKey: null,
    acknowledgeCapacity: true,
    leaveRest: false,
  };
  // 'warn': a demo person past their weekly hours still commits, as an ally who read the warning would.
  const made = await commit(ctx, { ask: { id: ask.id, title: ask.title, communityId: ask.communityId }, userId: ally.id, commit: input, capacity: 'warn', requestId: REQUEST_ID });
  if (made.kind !== 'committed') fail(`commit ${demo.who} to "${ask.title}"`, made);
  counts.commitments += 1;
  const id = made.response.commitment.id;

  const then = demo.then;
  if (then?.type === 'withdraw') {
    const done = await withdraw(ctx, { commitmentId: id, userId: ally.id, requestId: REQUEST_ID });
    if (!done.ok) fail(`withdraw ${demo.who}`, ask.title);
  } else if (then) {
    const visible = await getVisibleCommitment(ctx, id, then.type === 'report' ? ally : organizer);
    if (!visible) fail('find a commitment', id);
    const done =
      then.type === 'report'
        ? await report(ctx, { commitment: visible.commitment, userId: ally.id, requestId: REQUEST_ID })
        : await confirm(ctx, {
            commitment: visible.commitment,
            actorId: organizer.id,
            confirm: { outcome: then.outcome, minutes: then.minutes ?? null, amountMinor: then.amountMinor ?? null, quantity: then.quantity ?? null, outcomeLine: then.outcomeLine ?? null },
            requestId: REQUEST_ID,
          });
    if (!done.ok) fail(`${then.type} the commitment of ${demo.who}`, ask.title);
  }

  if (demo.feedback) {
    const visible = (await getVisibleCommitment(ctx, id, organizer)) ?? fail('find a commitment', id);
    const feedbackId = await giveFeedback(ctx, { commitment: visible.commitment, authorId: organizer.id, kind: demo.feedback.kind, body: demo.feedback.body, requestId: REQUEST_ID });
    counts.feedback += 1;
    if (demo.feedback.reply !== undefined) {
      const acknowledged = await acknowledge(ctx, { feedbackId, userId: ally.id, reply: demo.feedback.reply, requestId: REQUEST_ID });
      if (acknowledged !== 'ok') fail(`acknowledge feedback for ${demo.who}`, acknowledged);
    }
  }
}

async function seedAsk(ctx: Ctx, people: People, communityId: string, organizer: Viewer, demo: DemoAsk, baseline: Date, counts: LivingCounts): Promise<void> {
  const access = (await getCommunityAccess(ctx.db, communityId, organizer))!;
  const title = String(demo.body.title);
  // Organizers see every status in their list, so a draft or closed ask from an earlier run is found too.
  const existing = await listVisibleAsks(ctx.db, access, organizer, { limit: 100, after: undefined });
  if (existing.some((a) => a.title === title)) return;

  const flat = flattenAskJson(demo.body);
  // The form refuses new times in the past; the demo's past shifts are checked against an earlier "now"
  // (the service keeps the times it is given), so organizers can confirm what happened on them.
  const parsed = flat ? parseAsk(flat, baseline) : undefined;
  if (!parsed?.ok) fail(`read the ask "${title}"`, parsed);
  const saved = await createAsk(ctx.db, { communityId, actorId: organizer.id, ask: parsed.value, requestId: REQUEST_ID });
  if (!saved.ok) fail(`create the ask "${title}"`, saved.errors);
  counts.asks += 1;
  if (demo.status === 'draft') return;

  const move = async (action: 'publish' | 'pause' | 'close', outcome?: string) => {
    const current = (await getVisibleAsk(ctx.db, saved.id, organizer))!;
    const moved = await changeStatus(ctx.db, { ask: current.ask, action, actorId: organizer.id, requestId: REQUEST_ID, ...(outcome ? { outcome } : {}) });
    if (!moved.ok) fail(`${action} "${title}"`, moved);
  };
  await move('publish');
  for (const commitment of demo.commitments) await seedCommitment(ctx, people, organizer, saved.id, commitment, counts);
  if (demo.status === 'paused') await move('pause');
  if (demo.status === 'closed') await move('close', demo.outcome);
}

/**
 * Brings the demo people's communities to life through the modules' services: proposals and
 * verification, members and allies, asks of every kind and commitments in every state with
 * confirmations and feedback. What an earlier run made is found (communities by slug, asks by
 * title) and left alone.
 */
export async function seedLivingDemo(ctx: Ctx, people: People, now = new Date()): Promise<LivingCounts> {
  const counts: LivingCounts = { communities: 0, asks: 0, commitments: 0, feedback: 0 };
  const moderator = people('moderator@demo.alongside.test');
  const ids = new Map<string, { id: string; organizer: Viewer }>();
  for (const demo of DEMO_COMMUNITIES) ids.set(demo.key, { id: await seedCommunity(ctx, people, moderator, demo, counts), organizer: people(demo.organizer) });
  const baseline = new Date(now.getTime() - 60 * 24 * 3600_000);
  for (const demo of demoAsks(now)) {
    const community = ids.get(demo.community) ?? fail('find the community of an ask', demo.community);
    await seedAsk(ctx, people, community.id, community.organizer, demo, baseline, counts);
  }
  return counts;
}
