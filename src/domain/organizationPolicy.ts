// What a partner organization's policy says about the people whose e-mail domain is one of its
// domains: "deny" shuts them out everywhere (sign-in, requests, invitations by anyone), "auto_approve"
// approves their requests for the items it lists, "allow" leaves every request to its approvers.
// An address whose domain is no organization's is not decided here.

/** What these rules read of an organization. */
export interface OrganizationFacts {
  name: string;
  policy: 'allow' | 'deny' | 'auto_approve';
}

/** The people of this organization's domains may not sign in, ask for access or be invited. */
export function isDenied<O extends OrganizationFacts>(org: O | undefined): org is O & { policy: 'deny' } {
  return org?.policy === 'deny';
}

/**
 * Whether a request is approved without review: its organization auto-approves and lists every item
 * asked for. `listed` (the organization's list) is read only for an organization that auto-approves.
 */
export async function approvedByPolicy(org: OrganizationFacts | undefined, itemIds: number[], listed: () => Promise<number[]>): Promise<boolean> {
  const list = new Set(org?.policy === 'auto_approve' ? await listed() : []);
  return itemIds.every((id) => list.has(id));
}
