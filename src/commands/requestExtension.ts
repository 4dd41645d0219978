// A guest asks for more time on a membership of theirs (from My access, or the button of an expiry
// notice): a request for the same item, marked as extending that membership, submitted, routed and
// decided like any other (src/commands/submitRequest.ts). On approval, provisioning moves the
// membership's end instead of granting it again (src/commands/grantAccess.ts). At most one open
// extension per membership: checked here, and by a partial unique index for two tabs at once.
import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import { membershipOfUser, openExtensionOf } from '../db/membershipNotices.ts';
import { findUserById } from '../db/users.ts';
import { forbidden, notFound } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import { submitRequest } from './submitRequest.ts';

export class ExtensionPending extends Error {
  constructor(readonly requestId: number) {
    super('an extension of this membership is already waiting');
  }
}

/** The membership a signed-in guest may ask to extend: theirs, with an end. Foreign or unknown ids are 404. */
export async function extendableMembership(deps: Deps, p: Principal, membershipId: number) {
  if (!can(p, 'access:extend') || p.userId === null) throw forbidden();
  const m = await membershipOfUser(deps.db, membershipId, p.userId);
  if (!m || m.expires_at === null) throw notFound();
  return m;
}

export async function requestExtension(deps: Deps, ctx: AuditContext, p: Principal, membershipId: number, reason: string): Promise<{ id: number; automatic: boolean }> {
  const m = await extendableMembership(deps, p, membershipId);
  const open = await openExtensionOf(deps.db, m.id);
  if (open) throw new ExtensionPending(open.id);
  const guest = await findUserById(deps.db, p.userId!);
  try {
    return await submitRequest(deps, ctx, p, { itemIds: [m.item_id], justification: reason, extensionOf: m.id, ...(guest?.name_chosen && { displayName: guest.display_name }) });
  } catch (err) {
    // Another tab asked at the same moment: the partial unique index kept one.
    const again = await openExtensionOf(deps.db, m.id);
    if (again && /unique|duplicate/i.test(String((err as Error).message))) throw new ExtensionPending(again.id);
    throw err;
  }
}
