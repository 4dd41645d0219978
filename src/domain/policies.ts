// Every "may this principal do that" rule lives here. Anything not allowed below is denied.
import type { Principal } from './principal.ts';
import type { AccessRequest } from './model.ts';

export type Ability =
  | 'request:create'
  | 'profile:edit'
  | 'request:read'
  | 'inbox:read'
  | 'request:review'
  | 'request:decide'
  | 'access:read'
  | 'access:leave'
  | 'access:extend'
  | 'audit:read'
  | 'admin:manage'
  | 'owner:console'
  | 'item:manage'
  | 'batch:read'
  | 'review:list'
  | 'review:read';

export interface PolicyFacts {
  request?: AccessRequest;
  /**
   * The request was routed to this principal and they are still one of the approvers the routing rule
   * names today (see approversByRule): a sponsor removed since keeps the row, not the right.
   */
  isApprover?: boolean;
  /** The principal owns this catalog item and the item is self-service. */
  ownsItem?: boolean;
  /** A batch of direct invitations: who started it. */
  batch?: { created_by: number };
  /** An access review: this principal has rows of it to answer. */
  isReviewer?: boolean;
}

const isMember = (p: Principal) => p.idpKind === 'home' && p.userType === 'member' && p.userId !== null;
const isAdmin = (p: Principal) => isMember(p) && p.role === 'admin';
const isOwnRequest = (p: Principal, r: AccessRequest) => r.requester_issuer === p.issuer && r.requester_subject === p.subject;

export function can(p: Principal | undefined, ability: Ability, facts: PolicyFacts = {}): boolean {
  if (!p) return false;
  switch (ability) {
    case 'request:create':
      // Partners ask with their own identity; members of our organization already have access paths.
      return p.idpKind !== 'home' && p.emailVerified;
    case 'profile:edit':
      // A partner names herself; a member's name is the one our own directory gives.
      return p.idpKind !== 'home';
    case 'request:read':
      return Boolean(facts.request && isOwnRequest(p, facts.request));
    case 'inbox:read':
      return isMember(p);
    case 'request:review':
      // Sponsors read what was routed to them; admins read any request.
      return Boolean(facts.request && isMember(p) && (facts.isApprover || isAdmin(p)));
    case 'request:decide':
      return Boolean(
        facts.request &&
          isMember(p) &&
          !isOwnRequest(p, facts.request) &&
          facts.request.requester_email.toLowerCase() !== p.email.toLowerCase() &&
          (facts.isApprover || isAdmin(p)),
      );
    case 'access:read':
      return p.userId !== null && p.userType === 'guest';
    case 'access:leave':
      // Only a partner who is a guest leaves; a member's access is our own directory's business.
      return p.idpKind !== 'home' && p.userId !== null && p.userType === 'guest';
    case 'access:extend':
      // A guest asks for more time as she asks for access: with her own partner identity.
      return p.idpKind !== 'home' && p.userId !== null && p.userType === 'guest' && p.emailVerified;
    case 'audit:read':
    case 'admin:manage':
      return isAdmin(p);
    case 'owner:console':
      return isMember(p);
    case 'item:manage':
      // Managing an item's guests includes inviting people to it.
      return isAdmin(p) || (isMember(p) && facts.ownsItem === true);
    case 'review:list':
      // Reviewers are members of our organization (sponsors, owners, admins); the list shows their own.
      return isMember(p);
    case 'review:read':
      // A campaign's page: its reviewers read their rows, admins read every campaign.
      return isMember(p) && (facts.isReviewer === true || isAdmin(p));
    case 'batch:read':
      return Boolean(facts.batch && isMember(p) && (isAdmin(p) || facts.batch.created_by === p.userId));
    default:
      return false;
  }
}

/** The message for a refusal the person can do something about; the generic one otherwise. */
export function refusalMessage(p: Principal, ability: Ability): string {
  if (ability === 'request:create' && p.idpKind !== 'home' && !p.emailVerified) {
    return p.emailRefusal === 'notVouched' ? 'errors.emailNotVouched' : 'errors.emailNotVerified';
  }
  return 'errors.forbidden';
}

/** The batches of direct invitations a principal's lists show: everybody's (null) for an admin, else their own. */
export function batchesListedFor(p: Principal): number | null {
  return isAdmin(p) ? null : p.userId;
}

/** Where the items a principal may invite people to come from, each read only when needed. */
export interface InvitableSources<I> {
  /** Every catalog item. */
  all(): Promise<I[]>;
  /** The self-service items the principal owns. */
  ownedSelfService(): Promise<I[]>;
}

/** The items a principal may invite people to (item:manage): any for an admin, a member's own self-service items. */
export async function invitableItems<I>(p: Principal, from: InvitableSources<I>): Promise<I[]> {
  if (isAdmin(p)) return from.all();
  return isMember(p) ? from.ownedSelfService() : [];
}

/** Where the routing rule looks for the people who decide a request, each read only when needed. */
export interface ApproverSources<U> {
  /** Active members who own every requested item. */
  owners(): Promise<U[]>;
  /** Active default sponsors of the request's organization (none without one). */
  sponsors(): Promise<U[]>;
  /** Active admins. */
  admins(): Promise<U[]>;
}

/**
 * Who decides a request: the owners when every item is self-service and someone owns them all;
 * otherwise the organization's default sponsors; with none named, the admins. Routing asks this to
 * pick the approvers, and a decision and the inbox ask it again, so that someone who has since
 * stopped being a sponsor or an owner no longer decides what was routed to them.
 */
export async function approversByRule<U>(allSelfService: boolean, from: ApproverSources<U>): Promise<U[]> {
  let approvers = allSelfService ? await from.owners() : [];
  if (approvers.length === 0) approvers = await from.sponsors();
  if (approvers.length === 0) approvers = await from.admins();
  return approvers;
}
