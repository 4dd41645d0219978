// Rows a test needs before its story starts, made by the product's own code (its repositories, and
// its commands where a row only ever comes from one) with defaults that read like the demo world, so
// a test names only what matters to it: `buildOrganization(stack, { policy: 'auto_approve',
// autoApprove: ['Project Atlas'] })`. Outline's server/test/factories.ts is the model.
//
// The seeded world is already there when a test starts (see src/demo/world.ts): Acme and Globex with
// their IdPs, Ada (admin), Sam (sponsors Acme), Sue (sponsors Globex, owns Quality Reviews), Omar, the
// catalog. Factories refer to it by name and e-mail, never by id. Rows that repositories write are not
// audited here (they set the stage); commands audit as they always do.
import type { Stack } from './stack.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { appendAudit, type AuditContext } from '../../src/db/audit.ts';
import { upsertIdp } from '../../src/db/identityProviders.ts';
import { findOrgForDomain, insertOrganization, replaceOrganizationLists } from '../../src/db/organizations.ts';
import { bindIdentity, findUserByEmail, insertUser } from '../../src/db/users.ts';
import { insertItem, setOwners } from '../../src/db/catalog.ts';
import { grantMembership } from '../../src/db/memberships.ts';
import { insertRequest, markRouted } from '../../src/db/requests.ts';
import { addApprovers } from '../../src/db/approvers.ts';
import { addOutbox } from '../../src/db/outbox.ts';
import { createApiClient } from '../../src/commands/apiClients.ts';
import { inviteGuest } from '../../src/commands/inviteGuest.ts';
import { submitRequest } from '../../src/commands/submitRequest.ts';
import type { CatalogItem, IdpKind, Organization, User } from '../../src/db/rows.ts';
import { emailDomain } from '../../src/domain/principal.ts';
import type { Scope } from '../../src/domain/scopes.ts';
import { insertAppClient, type AppClientSettings } from '../../src/db/appClients.ts';
import { newClientId, newClientSecret, sealClientSecret } from '../../src/oidc/clientSecret.ts';
import { APP_CLAIMS } from '../../src/domain/model.ts';
import { idpNamed, itemsNamed, missing, partnerPrincipal, userIdOf } from './world.ts';

let sequence = 0;
const next = () => ++sequence;
const DAY = 86_400_000;

/** Who a test acts as when it calls a command itself (as `passerelle` on the command line would). */
export const systemContext = (correlationId = 'test'): AuditContext => ({ actor: { type: 'system', id: 'system:test', label: null }, ip: null, correlationId });

export interface IdpOverrides {
  slug?: string;
  name?: string;
  kind?: IdpKind;
  issuer?: string;
  /** The client registered at the issuer; by default `passerelle-<slug>` with a secret named after it. */
  client?: { clientId: string; clientSecret: string };
  scopes?: string;
  emailDomains?: string[];
  enabled?: boolean;
}

/**
 * An identity provider as the admin page stores it (or updates it, for a slug that exists). The
 * issuer is taken as given: tests point rows at hosts the admin form would refuse.
 */
export async function buildIdentityProvider(stack: Stack, o: IdpOverrides = {}): Promise<number> {
  const slug = o.slug ?? `partner${next()}`;
  const client = o.client ?? { clientId: `passerelle-${slug}`, clientSecret: `${slug}-secret-0123456789abcdef` };
  const id = await upsertIdp(stack.db, {
    slug,
    name: o.name ?? slug.charAt(0).toUpperCase() + slug.slice(1),
    kind: o.kind ?? 'partner',
    issuer: o.issuer ?? `https://login.${slug}.test`,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scopes: o.scopes ?? 'openid email profile',
    email_domains: (o.emailDomains ?? [`${slug}.test`]).join(','),
    ...(o.enabled === undefined ? {} : { enabled: o.enabled }),
  });
  return Number(id);
}

export interface OrganizationOverrides {
  name?: string;
  domains?: string[];
  /** The slug of its own IdP, if it has one. */
  identityProvider?: string | null;
  policy?: Organization['policy'];
  /** E-mails of the members who sponsor it. */
  sponsors?: string[];
  /** Names of the catalog items its partners get without a decision (policy auto_approve). */
  autoApprove?: string[];
}

/** A partner organization with its domains, sponsors, policy and auto-approved items. */
export async function buildOrganization(stack: Stack, o: OrganizationOverrides = {}): Promise<number> {
  const name = o.name ?? `Partner ${next()}`;
  const identityProviderId = o.identityProvider ? (await idpNamed(stack, o.identityProvider)).id : null;
  const sponsorIds = await Promise.all((o.sponsors ?? []).map((email) => userIdOf(stack, email)));
  const autoItems = await itemsNamed(stack, o.autoApprove ?? []);
  const domains = (o.domains ?? [`${name.replace(/[^A-Za-z0-9]+/g, '')}.test`]).map((d) => d.toLowerCase());
  const policy = o.policy ?? (autoItems.length ? 'auto_approve' : 'allow');
  return inTransaction(stack.db, async (trx) => {
    const id = Number(await insertOrganization(trx, { name, identityProviderId, policy, domains: [], sponsorIds: [] }));
    await replaceOrganizationLists(trx, id, { domains, sponsorIds, autoItemIds: autoItems.map((i) => i.id) });
    return id;
  });
}

/** A member of our own organization (a sponsor is a member an organization names). */
export async function buildMember(stack: Stack, o: { email?: string; name?: string; role?: 'admin' | null } = {}): Promise<number> {
  const n = next();
  const email = o.email ?? `member${n}@passerelle.test`;
  return Number(await insertUser(stack.db, { display_name: o.name ?? `Member ${n}`, email, user_type: 'member', state: 'active', role: o.role ?? null }));
}

export interface GuestOverrides {
  email?: string;
  name?: string;
  state?: User['state'];
  /** The demo account the guest redeemed with (e.g. { idp: 'acme', subject: 'acme-paula' }): bound, and active. */
  identity?: { idp: string; subject: string };
  /** Names of catalog items the guest is a member of, granted as an admin grants them. */
  memberships?: string[];
}

/** A guest user, invited (not yet redeemed) unless told otherwise, with memberships. */
export async function buildGuest(stack: Stack, o: GuestOverrides = {}): Promise<number> {
  const n = next();
  const items = await itemsNamed(stack, o.memberships ?? []);
  const idp = o.identity && (await idpNamed(stack, o.identity.idp));
  return inTransaction(stack.db, async (trx) => {
    const id = Number(
      await insertUser(trx, { display_name: o.name ?? `Guest ${n}`, email: o.email ?? `guest${n}@newco.test`, user_type: 'guest', state: o.state ?? (o.identity ? 'active' : 'invited') }),
    );
    if (o.identity && idp) {
      await bindIdentity(trx, id, { issuer: idp.issuer, subject: o.identity.subject, identityProviderId: idp.id });
    }
    for (const item of items) {
      const expiresAt = item.max_days ? new Date(Date.now() + item.max_days * DAY).toISOString() : null;
      await grantMembership(trx, { userId: id, itemId: item.id, source: 'direct', sourceId: null, grantedBy: null, expiresAt });
    }
    return id;
  });
}

export interface ItemOverrides {
  name?: string;
  kind?: CatalogItem['kind'];
  description?: string;
  launchUrl?: string | null;
  maxDays?: number | null;
  /** E-mails of the members who own it. */
  owners?: string[];
  selfService?: boolean;
  audience?: CatalogItem['audience'];
  /** Who gives a second approval (two-stage approval); none by default. */
  secondApproval?: CatalogItem['second_approval'];
}

/** A requestable catalog item with its owners. */
export async function buildCatalogItem(stack: Stack, o: ItemOverrides = {}): Promise<number> {
  const n = next();
  const kind = o.kind ?? 'group';
  const ownerIds = await Promise.all((o.owners ?? []).map((email) => userIdOf(stack, email)));
  return inTransaction(stack.db, async (trx) => {
    const id = Number(
      await insertItem(trx, {
        kind,
        name: o.name ?? `Working Group ${n}`,
        description: o.description ?? 'A group made for this test.',
        launch_url: o.launchUrl ?? (kind === 'app' ? `https://app${n}.passerelle.test/` : null),
        max_days: o.maxDays === undefined ? 90 : o.maxDays,
        self_service: o.selfService ?? false,
        ...(o.audience ? { audience: o.audience } : {}),
        ...(o.secondApproval ? { second_approval: o.secondApproval } : {}),
      }),
    );
    if (ownerIds.length) await setOwners(trx, id, ownerIds);
    return id;
  });
}

export interface RequestOverrides {
  /** The requester's e-mail: a demo account (its IdP, subject and name are used) or anyone. */
  requester?: string;
  /** Slug of the IdP the requester signed in with; by default the account's, or the one serving the domain. */
  idp?: string;
  subject?: string;
  name?: string;
  items?: string[];
  justification?: string;
  /**
   * true (the default): submitted as a partner submits, routed to whom the rule names (or approved at
   * once by an auto-approve policy). false: stored as before routing moved into the submission, with
   * an outbox row that the route job answers, and nobody its approver yet.
   */
  routed?: boolean;
  /** E-mails of the people it was put in front of by hand, whatever the rule says (no mails). */
  approvers?: string[];
}

/** An access request of a partner; its id. */
export async function buildAccessRequest(stack: Stack, o: RequestOverrides = {}): Promise<number> {
  const p = await partnerPrincipal(stack, o);
  const ctx: AuditContext = { actor: { type: 'user', id: `${p.issuer}|${p.subject}`, label: p.email }, ip: null, correlationId: 'test' };
  const items = await itemsNamed(stack, o.items ?? ['Partner Wiki']);
  const justification = o.justification ?? 'We co-develop the Atlas gearbox and need the shared specifications.';
  if (!o.approvers && o.routed !== false) return (await submitRequest(stack, ctx, p, { itemIds: items.map((i) => i.id), justification })).id;
  const approverIds = await Promise.all((o.approvers ?? []).map((email) => userIdOf(stack, email)));
  const org = await findOrgForDomain(stack.db, emailDomain(p.email));
  return inTransaction(stack.db, async (trx) => {
    const id = Number(
      await insertRequest(
        trx,
        {
          requester_issuer: p.issuer,
          requester_subject: p.subject,
          requester_email: p.email,
          requester_name: p.name,
          identity_provider_id: p.idpId,
          organization_id: org?.id ?? null,
          justification,
        },
        items.map((i) => i.id),
      ),
    );
    await appendAudit(trx, ctx, { action: 'request.submitted', target: `request:${id}`, details: { items: items.map((i) => i.name), organization: org?.name ?? null } });
    if (o.approvers) {
      await addApprovers(trx, id, approverIds);
      await markRouted(trx, id);
    } else {
      await addOutbox(trx, 'request.submitted', { requestId: id });
    }
    return id;
  });
}

export interface InvitationOverrides {
  email?: string;
  name?: string;
  items?: string[];
  /** E-mail of the member who invites (the guest's sponsor); Ada by default. */
  invitedBy?: string;
  message?: string | null;
  /** Where the guest lands once redeemed (the invitation form's "then open" application). */
  redirectUrl?: string | null;
}

/** A direct invitation as the admin's invitation form makes one: the guest, the memberships, the mail. */
export async function buildInvitation(stack: Stack, o: InvitationOverrides = {}): Promise<{ invitationId: number; guestId: number }> {
  const n = next();
  const inviter = await findUserByEmail(stack.db, 'member', o.invitedBy ?? 'ada.admin@passerelle.test');
  if (!inviter) missing(`member ${o.invitedBy}`);
  const items = await itemsNamed(stack, o.items ?? ['Partner Wiki']);
  const result = await inTransaction(stack.db, (trx) =>
    inviteGuest(trx, stack.config, systemContext(), {
      email: o.email ?? `invitee${n}@newco.test`,
      displayName: o.name ?? '',
      items,
      invitedBy: Number(inviter.id),
      sponsorName: inviter.display_name,
      source: 'invitation',
      message: o.message ?? null,
      redirectUrl: o.redirectUrl ?? null,
    }),
  );
  if (result.invitationId === null) throw new Error(`${result.user.email} is an active guest already: nothing to redeem`);
  return { invitationId: Number(result.invitationId), guestId: Number(result.user.id) };
}

/** An API client holding these scopes, made as an admin makes one; its id and its token (shown once). */
export async function buildApiClient(stack: Stack, o: { name?: string; scopes?: Scope[] } = {}): Promise<{ id: number; token: string }> {
  return createApiClient(stack, systemContext(), { name: o.name ?? `script ${next()}`, scopes: o.scopes ?? ['User.Read.All'] }, null);
}

/** An outbox row as a command writes one beside its change; its id. */
export async function buildOutboxRow(stack: Stack, topic: string, payload: Record<string, unknown>): Promise<number> {
  return inTransaction(stack.db, async (trx) => {
    await addOutbox(trx, topic, payload);
    // addOutbox keeps its id to itself; other writers may have added rows since, so match the payload.
    return Number((await trx('outbox').where({ topic, payload: JSON.stringify(payload) }).orderBy('id', 'desc').first('id')).id);
  });
}

export interface AppClientOverrides extends Partial<Omit<AppClientSettings, 'visible_group_ids'>> {
  /** The app item's name (default: a new app item). */
  item?: string;
  /** Names of the groups the app may see. */
  visibleGroups?: string[];
}

/** An app item's OpenID Connect client, as an admin registers it: the client id and its secret (null when public). */
export async function buildAppClient(stack: Stack, o: AppClientOverrides = {}): Promise<{ itemId: number; clientId: string; secret: string | null }> {
  const itemId = o.item ? (await itemsNamed(stack, [o.item]))[0]?.id ?? missing(`item ${o.item}`) : await buildCatalogItem(stack, { kind: 'app' });
  const groups = o.visibleGroups ? await itemsNamed(stack, o.visibleGroups) : [];
  const clientId = newClientId();
  const secret = o.public_client ? null : newClientSecret();
  await inTransaction(stack.db, (trx) =>
    insertAppClient(trx, {
      clientId,
      itemId,
      secretEncrypted: secret && sealClientSecret(stack.config, clientId, secret),
      public_client: o.public_client ?? false,
      redirect_uris: o.redirect_uris ?? ['http://127.0.0.1:9/callback'],
      post_logout_redirect_uris: o.post_logout_redirect_uris ?? [],
      backchannel_logout_uri: o.backchannel_logout_uri ?? null,
      initiate_login_uri: o.initiate_login_uri ?? null,
      claims: o.claims ?? [...APP_CLAIMS],
      visible_group_ids: groups.map((g) => g.id),
      assignment_required: o.assignment_required ?? true,
      allow_members: o.allow_members ?? false,
    }),
  );
  return { itemId, clientId, secret };
}
