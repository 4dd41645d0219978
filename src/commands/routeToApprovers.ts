// Picks who decides a request and queues a mail to each of them, inside the caller's transaction.
// A submission routes its own request this way, so a request never exists without its approvers
// and is in their inbox the moment the partner is answered; only the mails wait for the worker.
// The route job does the same for a request left unrouted (an outbox row from before this rule, a
// sweeper's find). Safe to run twice: routing happens once per request.
//
// Who decides is not fixed at routing time: a decision and the inbox ask the same rule again
// (stillApproverOf), and an admin changing an organization's sponsors re-routes its open requests
// (rerouteOpenRequests), so a request always waits for the people the rule names today.
//
// A request whose items need a second approval has two stages (src/domain/stages.ts): stage 1 is
// routed here at submission; when stage 1 approves, the decision routes stage 2 (routeToStageTwo).
// Each approver row says the stage it was routed for, and the rule asked again is the stage's own.
import type { Config } from '../config.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Db, Tx } from '../db/knex.ts';
import type { AccessRequest, CatalogItem, User } from '../db/rows.ts';
import { markRouted, openRoutedRequestsOfItem, openRoutedRequestsOfOrganization } from '../db/requests.ts';
import { addApprovers, approverFactsOf, removeApprovers } from '../db/approvers.ts';
import { itemsOfRequest, ownersOfAll } from '../db/catalog.ts';
import { sponsorsOf } from '../db/organizations.ts';
import { findUserById, listAdmins } from '../db/users.ts';
import { queueSystemMail } from '../mail/send.ts';
import { approversByRule } from '../domain/policies.ts';
import { escalatedApproversOf } from '../db/requestTimeouts.ts';
import { stageTwoApproversByRule } from '../domain/stages.ts';
import { approversAtCurrentStage, approverStageOf, routeAtStage, stageOneDecidersOf, stagesOf, stageTwoFactsOf } from '../db/stages.ts';
import { routeMail, type MailSpec, type RoutedRequest } from '../mail/templates.ts';

/** Routing is the policy's doing, whoever's action (a submission, a job, an admin's edit) set it off. */
const ROUTING = { type: 'system', id: 'system:routing', label: null } as const;

export async function routeToApprovers(
  trx: Tx,
  config: Config,
  ctx: AuditContext,
  request: RoutedRequest & Pick<AccessRequest, 'organization_id'>,
  items: CatalogItem[],
): Promise<boolean> {
  if (!(await markRouted(trx, request.id))) return false;
  const approvers = await approversByRule(items.every((i) => i.self_service), {
    owners: () => ownersOfAll(trx, items.map((i) => i.id)),
    sponsors: async () => (request.organization_id ? sponsorsOf(trx, request.organization_id) : []),
    admins: () => listAdmins(trx),
  });
  await addApprovers(trx, request.id, approvers.map((a) => a.id));
  await appendAudit(trx, { ...ctx, actor: ROUTING }, {
    action: 'request.routed',
    target: `request:${request.id}`,
    outcome: approvers.length ? 'success' : 'failure',
    details: { approvers: approvers.map((a) => a.email) },
  });
  for (const approver of approvers) {
    await queueSystemMail(trx, routeMail(config, request, items, approver));
  }
  return true;
}

/**
 * For each request, the ids of the people the routing rule names today for the stage it waits on:
 * stage 1's rule (approversByRule), or for a request at stage 2 the second approval's
 * (stageTwoApproversByRule, on the items still waiting for it).
 */
async function approversNow(db: Db | Tx, requests: Pick<AccessRequest, 'id' | 'organization_id'>[]): Promise<Map<number, number[]>> {
  const stages = await stagesOf(db, requests.map((r) => r.id));
  const first = requests.filter((r) => (stages.get(r.id) ?? 1) < 2);
  const second = requests.filter((r) => (stages.get(r.id) ?? 1) >= 2);
  const facts = await approverFactsOf(db, first);
  const stageTwo = await stageTwoFactsOf(db, second.map((r) => r.id));
  let admins: Promise<number[]> | undefined;
  const adminIds = () => (admins ??= listAdmins(db).then((l) => l.map((a) => a.id)));
  const out = new Map<number, number[]>();
  for (const r of first) {
    const f = facts.get(r.id)!;
    out.set(
      r.id,
      await approversByRule(f.allSelfService, {
        owners: async () => f.owners,
        sponsors: async () => f.sponsors,
        admins: adminIds,
      }),
    );
  }
  // Separation of duties: whoever gave stage 1's approval does not give stage 2's; the rule names the
  // others (an owner who is not them), else the admins other than them.
  const firstDeciders = await stageOneDecidersOf(db, second.map((r) => r.id));
  for (const r of second) {
    const f = stageTwo.get(r.id)!;
    const other = (u: number) => u !== firstDeciders.get(r.id);
    out.set(r.id, await stageTwoApproversByRule(f.items, { owners: async () => f.owners.filter(other), admins: async () => (await adminIds()).filter(other) }));
  }
  // Whoever a time-out escalated the request to (src/commands/requestTimeouts.ts) decides its stage
  // too, although the rule would not name them (a sponsor, when the item's owners were routed).
  for (const [id, extra] of await escalatedApproversOf(db, requests.map((r) => r.id))) {
    out.set(id, [...new Set([...(out.get(id) ?? []), ...extra.filter((u) => u !== firstDeciders.get(id))])]);
  }
  return out;
}

/**
 * The ids, among these requests, of those the routing rule names `userId` for today: a default
 * sponsor of the organization, an owner of every self-service item, or an admin when nobody else is
 * named. The inbox asks this of the rows routed to the user (its list is read along that index).
 */
export async function namedByRuleNow(db: Db | Tx, userId: number, requests: Pick<AccessRequest, 'id' | 'organization_id'>[]): Promise<Set<number>> {
  if (requests.length === 0) return new Set();
  const now = await approversNow(db, requests);
  return new Set(requests.filter((r) => now.get(r.id)!.includes(userId)).map((r) => r.id));
}

/**
 * The ids of the requests this user still decides: routed to them, and the rule still names them. The
 * row in the approvers table alone is not enough: it stays behind when an item's owners or a
 * member's role change elsewhere; and the rule alone is not either: nobody decides a request that
 * was never put in front of them.
 */
export async function stillApproverOf(db: Db | Tx, userId: number, requests: Pick<AccessRequest, 'id' | 'organization_id'>[]): Promise<Set<number>> {
  if (requests.length === 0) return new Set();
  // Routed for the stage the request waits on: stage 1's sponsor does not decide stage 2, nor the reverse.
  const routed = await approversAtCurrentStage(db, requests.map((r) => r.id));
  return namedByRuleNow(db, userId, requests.filter((r) => routed.get(r.id)?.includes(userId)));
}

/**
 * Whether this user may read a request as one of its approvers: they decide it now (stillApproverOf),
 * or they were routed for an earlier stage than the one it has reached (a stage-1 sponsor keeps
 * reading the request they sent on to stage 2, and its outcome, without deciding it).
 */
export async function reviewsRequest(db: Db | Tx, userId: number, request: Pick<AccessRequest, 'id' | 'organization_id' | 'stage'>): Promise<boolean> {
  if ((await stillApproverOf(db, userId, [request])).has(request.id)) return true;
  const routedFor = await approverStageOf(db, request.id, userId);
  return routedFor !== undefined && routedFor < (request.stage ?? 1);
}

/**
 * Brings an organization's open requests, or an item's, to the approvers the rule names now, in the
 * caller's transaction (an admin's edit of the sponsors, or of an item's owners or self-service switch): those who no longer decide lose the request, those
 * who now do get it and a mail through the outbox, each change audited. Requests not routed yet are
 * left to routing, which reads the new sponsors anyway. Returns how many requests changed hands.
 */
export async function rerouteOpenRequests(trx: Tx, config: Config, ctx: AuditContext, of: { organizationId: number } | { itemId: number }): Promise<number> {
  const requests = 'organizationId' in of ? await openRoutedRequestsOfOrganization(trx, of.organizationId) : await openRoutedRequestsOfItem(trx, of.itemId);
  if (requests.length === 0) return 0;
  const routed = await approversAtCurrentStage(trx, requests.map((r) => r.id));
  const now = await approversNow(trx, requests);
  const stages = await stagesOf(trx, requests.map((r) => r.id));
  const people = new Map<number, User | undefined>();
  const users = async (ids: number[]) => {
    const out: User[] = [];
    for (const id of ids) {
      if (!people.has(id)) people.set(id, await findUserById(trx, id));
      const u = people.get(id);
      if (u) out.push(u);
    }
    return out;
  };
  let changed = 0;
  for (const request of requests) {
    const before = routed.get(request.id) ?? [];
    const after = now.get(request.id)!;
    const added = after.filter((u) => !before.includes(u));
    const removed = before.filter((u) => !after.includes(u));
    if (added.length === 0 && removed.length === 0) continue;
    changed++;
    const stage = stages.get(request.id) ?? 1;
    await removeApprovers(trx, request.id, removed);
    // At stage 2, someone routed for stage 1 (a sponsor who now owns the item) moves to stage 2.
    if (stage >= 2) await routeAtStage(trx, request.id, stage, added);
    else await addApprovers(trx, request.id, added);
    const addedUsers = await users(added);
    await appendAudit(trx, { ...ctx, actor: ROUTING }, {
      action: 'request.rerouted',
      target: `request:${request.id}`,
      outcome: after.length ? 'success' : 'failure',
      details: {
        approvers: (await users(after)).map((u) => u.email),
        added: addedUsers.map((u) => u.email),
        removed: (await users(removed)).map((u) => u.email),
      },
    });
    // A request waiting on its requester's answer has nothing to decide yet: the answer mails its
    // approvers then (answerRequester), the new ones among them.
    if (addedUsers.length === 0 || request.status === 'info_requested') continue;
    // At stage 2 the mail lists what they decide: the items waiting on the second approval.
    const items = stage >= 2 ? await stageTwoItems(trx, request.id) : await itemsOfRequest(trx, request.id);
    for (const approver of addedUsers) {
      await queueSystemMail(trx, stage >= 2 ? stageTwoMail(config, request, items, approver) : routeMail(config, request, items, approver));
    }
  }
  return changed;
}

/** The request's items waiting on stage 2, whole (what the routing mail lists). */
async function stageTwoItems(db: Db | Tx, requestId: number): Promise<CatalogItem[]> {
  const waiting = new Set((await stageTwoFactsOf(db, [requestId])).get(requestId)!.items.map((i) => i.id));
  return (await itemsOfRequest(db, requestId)).filter((i) => waiting.has(i.id));
}

/**
 * The "request to decide" mail, for stage 2: the same words and link as stage 1's, under its own
 * dedupe key, so that a sponsor who also owns the item is mailed again for the second approval.
 */
function stageTwoMail(config: Config, request: RoutedRequest, items: CatalogItem[], approver: { id: number; email: string }): MailSpec {
  return { ...routeMail(config, request, items, approver), dedupeKey: `request:${request.id}:stage2:route:${approver.id}` };
}

/**
 * Puts a request that stage 1 approved in front of its stage-2 approvers, in the caller's transaction
 * (the decision's): those the stage-2 rule names for the items waiting on it are routed for stage 2
 * and mailed the "request to decide" mail. Returns them (their e-mails go in the decision's audit
 * event). The request's stage must already be 2.
 */
export async function routeToStageTwo(trx: Tx, config: Config, request: RoutedRequest): Promise<User[]> {
  const ids = (await approversNow(trx, [{ id: request.id, organization_id: null }])).get(request.id) ?? [];
  const routed = new Set(await routeAtStage(trx, request.id, 2, ids));
  const items = await stageTwoItems(trx, request.id);
  const approvers: User[] = [];
  for (const id of ids) {
    const user = await findUserById(trx, id);
    if (!user) continue;
    approvers.push(user);
    if (routed.has(id)) await queueSystemMail(trx, stageTwoMail(config, request, items, user));
  }
  return approvers;
}
