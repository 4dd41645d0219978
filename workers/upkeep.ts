// The periodic upkeep as one job (the sweep asks for one per interval, src/queue/sweeper.ts): each
// time-based pass in turn, every one acting only on the rows the database says are due and not yet
// done, with conditional updates, so a rerun or a second worker acts once. One queue instead of one
// per pass: each Bull queue holds three Redis connections of its own, for jobs that each run a few
// queries a minute (the "one scheduler job"). A pass that fails does not stop the others;
// the job then fails naming it (the queues page shows it, and Bull or the next sweep runs it again).
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { expireMemberships } from './expireMemberships.ts';
import { sendMembershipNotices } from './membershipNotices.ts';
import { retireGuests } from './retireInactiveGuests.ts';
import { expireInvitations } from './expireInvitations.ts';
import { requestTimeouts } from './requestTimeouts.ts';
import { sweepReviews } from './reviews.ts';
import { cleanOidcStore } from './oidcCleanup.ts';

/** The passes, in order; each says how much it did (anything done may have left mail to send). */
export const UPKEEP_PASSES: readonly { name: string; run: (deps: Deps, ctx: AuditContext) => Promise<number> }[] = [
  // Memberships past their term ended (the apps told) before anything reads them as running.
  { name: 'expire-memberships', run: expireMemberships },
  // Memberships nearing their end: the guest and sponsors told, once per threshold and term.
  { name: 'membership-notices', run: sendMembershipNotices },
  // Guests whose access all ended: disabled, then removed, after the tenant's periods (each once).
  { name: 'retire-guests', run: retireGuests },
  // Pending invitations past their expiry: marked expired once each, the inviter told.
  { name: 'expire-invitations', run: expireInvitations },
  // Pending requests past their time-outs: reminded, escalated, expired, once each.
  { name: 'request-timeouts', run: requestTimeouts },
  // Access reviews: scheduled ones opened, reminders due sent, those past their deadline closed and applied.
  { name: 'access-reviews', run: sweepReviews },
  // The OpenID Provider's expired rows and unpublished keys removed.
  { name: 'oidc-cleanup', run: async (deps) => ((r) => r.rows + r.keys)(await cleanOidcStore(deps)) },
];

export async function runUpkeep(deps: Deps, contextOf: (pass: string) => AuditContext): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  const failed: string[] = [];
  for (const pass of UPKEEP_PASSES) {
    try {
      done[pass.name] = await pass.run(deps, contextOf(pass.name));
    } catch (err) {
      failed.push(`${pass.name}: ${(err as Error).message}`);
    }
  }
  if (failed.length) throw new Error(`upkeep passes failed: ${failed.join('; ')}`);
  return done;
}
