// The sweep's access-review pass: scheduled campaigns whose start came are opened, reminders due are
// sent, campaigns past their deadline are closed and applied. Each campaign is selected by the
// database as due and acted on by a conditional update, so a rerun, or a second worker, acts once.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { dueToClose, dueToOpen, dueToRemind } from '../src/db/reviews.ts';
import { nowIso } from '../src/domain/clock.ts';
import { closeCampaign, openScheduledCampaign } from '../src/commands/reviews/closeCampaign.ts';
import { remindAutomatically } from '../src/commands/reviews/remindReviewers.ts';

// Bounded per run so that one run cannot hold the worker; the next sweep goes on where it stopped.
const PER_RUN = 20;

export async function sweepReviews(deps: Deps, ctx: AuditContext): Promise<number> {
  let n = 0;
  // Closing first: a recurring campaign's next instance, due at once after a late closing, opens in the same run.
  for (const id of await dueToClose(deps.db, nowIso(), PER_RUN)) if (await closeCampaign(deps, ctx, id)) n++;
  for (const id of await dueToOpen(deps.db, nowIso(), PER_RUN)) if (await openScheduledCampaign(deps, ctx, id)) n++;
  for (const id of await dueToRemind(deps.db, nowIso(), PER_RUN)) if (await remindAutomatically(deps, ctx, id)) n++;
  return n;
}
