import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { listRequestableItems } from '../../db/catalog.ts';
import { decidedItemsOf, findRequest, latestRequesterName, listRequestsOfRequester } from '../../db/requests.ts';
import { chosenNameOf } from '../../db/displayNames.ts';
import { dateBounds, displayName as displayNameField, rememberName, requesterChoices } from '../forms/requestChoices.ts';
import { setDisplayName } from '../../commands/setDisplayName.ts';
import { unverifiedPage } from './unverified.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { eventsForTarget } from '../../db/audit.ts';
import { membershipsOf } from '../../db/memberships.ts';
import { membershipsWithOpenExtension } from '../../db/membershipNotices.ts';
import { readBranding } from '../../db/branding.ts';
import { submitRequest } from '../../commands/submitRequest.ts';
import { answerRequester } from '../../commands/answerRequester.ts';
import { conversationOf, QUESTION_MAX } from '../../db/requestQuestions.ts';
import { faultPoint } from '../../faults.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { can } from '../../domain/policies.ts';
import { requireAbility, requireSignIn } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { parseId, render } from '../render.ts';
import { stageView } from '../stages.ts';
import { findAppClientByItem, clientsOfItems } from '../../db/appClients.ts';
import { consentedItemIds } from '../../db/appConsents.ts';
import { withdrawConsent } from '../../commands/appSignIn.ts';
import { appLaunchUrl, visibleGroups } from '../../domain/appAccess.ts';
import type { MembershipView } from '../../db/memberships.ts';
import { OIDC_PATH } from '../../oidc/provider.ts';

/** An app tile of My access: where it opens, the groups the app sees, whether consent can be withdrawn. */
async function appTiles(deps: Deps, userId: number | null, apps: MembershipView[], groups: MembershipView[]) {
  if (!userId || apps.length === 0) return [];
  const [clients, consented] = await Promise.all([clientsOfItems(deps.db, apps.map((a) => a.id)), consentedItemIds(deps.db, userId)]);
  const issuer = `${deps.config.publicUrl}${OIDC_PATH}`;
  return apps.map((a) => {
    const client = clients.find((c) => c.item_id === a.id);
    return {
      ...a,
      open: appLaunchUrl(a.launch_url, client, issuer),
      signsIn: Boolean(client),
      sees: client && client.claims.includes('groups') ? visibleGroups(groups, client).map((g) => g.name) : [],
      consented: consented.includes(a.id),
    };
  });
}

const requestSchema = z.object({
  items: z
    .union([z.string(), z.array(z.string()).max(50)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^[1-9]\d{0,9}$/).transform(Number)).min(1).max(20))
    .transform((ids) => [...new Set(ids)]),
  justification: z.string().trim().min(10).max(2000),
});

// The answer's words (not empty, not too long) are checked by the command, once it knows the request is
// hers: here only that it is text, so that words too long come back to be shortened, not lost.
const answerSchema = z.object({ answer: z.string() });

const fieldMessages: Record<string, string> = { items: 'requests.errors.unknownItem', justification: 'requests.errors.justification' };

/** The name the form offers: the one she set, else the one she gave last time, else her IdP's (a code's local part is no name). */
async function offeredName(deps: Deps, p: NonNullable<ReturnType<typeof principalOf>>): Promise<string> {
  const chosen = p.userId ? await chosenNameOf(deps.db, p.userId) : undefined;
  return chosen ?? (await latestRequesterName(deps.db, p.issuer, p.subject)) ?? (p.idpKind === 'email' ? '' : p.name);
}

export function partnerRoutes(deps: Deps, submitLimit: RequestHandler): Router {
  const r = Router();
  const { db } = deps;

  r.get('/requests', requireSignIn, async (req, res) => {
    const p = principalOf(req)!;
    const before = req.query.before === undefined ? undefined : parseId(req.query.before);
    if (before === null) throw invalid('requests.errors.badPage');
    const page = await listRequestsOfRequester(db, p.issuer, p.subject, { before });
    render(req, res, 'partner/requests', { title: 'requests.title', requests: page.rows, nextBefore: page.next, olderPage: Boolean(before) });
  });

  const showForm = async (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1], extra = {}, status = 200) => {
    const catalog = await listRequestableItems(db);
    render(req, res, 'partner/new', { title: 'requests.newTitle', catalog, ...dateBounds(catalog), fieldParams: {}, ...extra }, status);
  };

  // ?item= comes from an app's "You don't have access" page: that item is already chosen; several
  // (?item=1&item=2) from an expired request's "Ask again": the same items chosen again.
  r.get('/requests/new', unverifiedPage(db), requireAbility(db, 'request:create'), async (req, res) => {
    const items = ([] as unknown[]).concat(req.query.item ?? []).slice(0, 20).map(parseId).filter((i): i is number => i !== null);
    const displayName = await offeredName(deps, principalOf(req)!);
    return showForm(req, res, { values: { displayName, ...(items.length && { items: items.map(String) }) } });
  });

  r.post('/requests', submitLimit, csrfProtection, unverifiedPage(db), requireAbility(db, 'request:create'), async (req, res) => {
    const parsed = requestSchema.safeParse(req.body ?? {});
    const choices = requesterChoices.safeParse(req.body ?? {});
    const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
    const values = {
      items: ([] as unknown[]).concat(req.body?.items ?? []).map(String),
      justification: text(req.body?.justification, 2000),
      displayName: req.body?.displayName === undefined ? principalOf(req)!.name : text(req.body.displayName, 200),
      accessUntil: text(req.body?.accessUntil, 10),
    };
    if (!parsed.success || !choices.success) {
      const fields = {
        ...Object.fromEntries((parsed.error?.issues ?? []).map((i) => [String(i.path[0]), fieldMessages[String(i.path[0])] ?? 'errors.invalidForm'])),
        ...Object.fromEntries((choices.error?.issues ?? []).map((i) => [String(i.path[0]), i.message])),
      };
      return showForm(req, res, { fields, values, notice: { key: 'errors.invalidForm' } }, 400);
    }
    try {
      const { id, automatic } = await submitRequest(deps, auditContext(req), principalOf(req)!, {
        itemIds: parsed.data.items,
        justification: parsed.data.justification,
        displayName: choices.data.displayName,
        accessUntil: choices.data.accessUntil,
      });
      if (choices.data.displayName) rememberName(req, choices.data.displayName);
      await faultPoint(deps.config, 'submit.after-commit');
      res.redirect(303, `/requests/${id}?submitted=${automatic ? 'auto' : '1'}`);
    } catch (err) {
      const e = err as { status?: number; fields?: Record<string, string>; fieldParams?: Record<string, unknown> };
      if (e.status === 400) return showForm(req, res, { fields: e.fields, fieldParams: e.fieldParams ?? {}, values, notice: { key: 'errors.invalidForm' } }, 400);
      throw err;
    }
  });

  const showRequest = async (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1], extra: Record<string, unknown> = {}, status = 200) => {
    const p = principalOf(req)!;
    const id = parseId(req.params.id);
    const request = id ? await findRequest(db, id) : undefined;
    if (!request) throw notFound();
    if (!can(p, 'request:read', { request })) {
      // Someone else's request answers as a missing one would; the attempt is recorded all the same.
      await recordRefusal(db, auditContext(req), 'request.read', `request:${request.id}`, 'not the requester');
      throw notFound();
    }
    const items = await decidedItemsOf(db, request.id);
    render(req, res, 'partner/request', {
      title: 'requests.detailTitle',
      titleParams: { id: request.id },
      request,
      items,
      // Two-stage approval: the stage her request waits on.
      stages: await stageView(db, request, items),
      history: (await eventsForTarget(db, `request:${request.id}`)).filter((e) => e.outcome === 'success'),
      // The questions asked and her answers: the form to answer shows while the request waits on her.
      conversation: await conversationOf(db, request.id),
      questionMax: QUESTION_MAX,
      notice: req.query.submitted
        ? { key: req.query.submitted === 'auto' ? 'requests.autoApproved' : 'requests.submitted' }
        : req.query.answered ? { key: 'questions.answer.sent' } : null,
      ...extra,
    }, status);
  };

  r.get('/requests/:id', requireSignIn, (req, res) => showRequest(req, res));

  // Her answer to an approver's question: the request goes back to its approvers.
  r.post('/requests/:id/answer', requireSignIn, csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const parsed = answerSchema.safeParse(req.body ?? {});
    const answer = parsed.success ? parsed.data.answer : null;
    try {
      await answerRequester(deps, auditContext(req), principalOf(req)!, id, answer);
    } catch (err) {
      const e = err as { status?: number; fields?: Record<string, string> };
      // Her words come back with what to change, nothing lost.
      if (e.status === 400 && e.fields?.answer) return showRequest(req, res, { fields: e.fields, values: { answer: answer ?? '' }, notice: { key: 'errors.invalidForm' } }, 400);
      throw err;
    }
    res.redirect(303, `/requests/${id}?answered=1`);
  });

  // Her name, changed without asking for anything: reachable from the header's "Signed in as".
  r.get('/profile', requireAbility(db, 'profile:edit'), async (req, res) => {
    render(req, res, 'partner/profile', {
      title: 'choices.profile.title',
      values: { displayName: await offeredName(deps, principalOf(req)!) },
      notice: req.query.saved ? { key: 'choices.profile.saved' } : null,
    });
  });

  r.post('/profile', csrfProtection, requireAbility(db, 'profile:edit'), async (req, res) => {
    const parsed = displayNameField.safeParse(req.body?.displayName ?? '');
    if (!parsed.success) {
      const values = { displayName: typeof req.body?.displayName === 'string' ? req.body.displayName.slice(0, 200) : '' };
      return render(req, res, 'partner/profile', { title: 'choices.profile.title', values, fields: { displayName: parsed.error.issues[0].message }, notice: { key: 'errors.invalidForm' } }, 400);
    }
    await setDisplayName(deps, auditContext(req), principalOf(req)!, parsed.data);
    rememberName(req, parsed.data);
    res.redirect(303, '/profile?saved=1');
  });

  r.get('/access', requireSignIn, async (req, res) => {
    const p = principalOf(req)!;
    // Anyone signed in may open the page; only a guest has access to show.
    const items = can(p, 'access:read') ? await membershipsOf(db, p.userId!) : [];
    const groups = items.filter((i) => i.kind === 'group');
    const apps = await appTiles(deps, p.userId, items.filter((i) => i.kind === 'app'), groups);
    // An access with an end offers an extension, unless one is already waiting for a decision.
    const extending = Object.fromEntries(await membershipsWithOpenExtension(db, items.map((i) => i.membership_id)));
    const extension = req.query.extension === 'asked' ? { key: 'expiry.access.asked' } : req.query.extension === 'granted' ? { key: 'expiry.access.granted' } : null;
    const notice = req.query.welcome ? { key: 'redeem.done' } : req.query.withdrawn ? { key: 'access.withdrawn' } : extension;
    // A guest may leave the organization: the section at the bottom leads to the confirmation page.
    const leave = can(p, 'access:leave') ? { organization: (await readBranding(db)).companyName } : null;
    render(req, res, 'partner/access', { title: 'access.title', apps, groups, notice, leave, extending, canExtend: can(p, 'access:extend') });
  });

  // Withdrawing consent signs the app out now (its grants are revoked) and makes it ask again.
  r.post('/access/apps/:id/consent', csrfProtection, requireAbility(db, 'access:read'), async (req, res) => {
    const p = principalOf(req)!;
    const client = await findAppClientByItem(db, parseId(req.params.id) ?? 0);
    if (!client) throw notFound();
    await withdrawConsent(deps, auditContext(req), p.userId!, client);
    res.redirect(303, '/access?withdrawn=1');
  });

  return r;
}
