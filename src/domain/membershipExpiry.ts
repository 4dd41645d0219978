const DAY_MS = 24 * 3600 * 1000;

/**
 * When a membership granted at `grantedAt` (ms since the epoch) ends: the item's max_days later, or
 * never for an item that sets no limit. Every grant (a request provisioned, an invitation, an admin
 * or an owner adding an item) counts from the moment it is granted.
 */
export function membershipExpiry(item: { max_days: number | null }, grantedAt: number): string | null {
  return item.max_days ? new Date(grantedAt + item.max_days * DAY_MS).toISOString() : null;
}
