// Two-stage approval (issue 18, point 3): which items of a request need a second approval, and
// who gives it. Plain rules; src/db/stages.ts reads the facts and src/commands applies them.
import type { CatalogItem } from './model.ts';

/** The last stage a request can reach: stage 1 (the routing rule's approvers), then stage 2. */
export const LAST_STAGE = 2;

/** Items approved at stage 1 that still wait on a second approval. */
export function needsSecondStage(item: Pick<CatalogItem, 'second_approval'>): boolean {
  return item.second_approval === 'owners' || item.second_approval === 'admins';
}

/** Where the stage-2 rule looks for its approvers, each read only when needed. */
export interface StageTwoSources<U> {
  /** Active members who own every item waiting on stage 2. */
  owners(): Promise<U[]>;
  /** Active admins. */
  admins(): Promise<U[]>;
}

/**
 * Who gives the second approval of these items (those of a request waiting on stage 2): the people
 * who own every one of them when each asks for its owners; otherwise, or when nobody owns them all,
 * the admins. Like stage 1's rule (approversByRule), one decider decides every item put in front of
 * them, so nobody decides an item that is not theirs to decide.
 */
export async function stageTwoApproversByRule<U>(items: Pick<CatalogItem, 'second_approval'>[], from: StageTwoSources<U>): Promise<U[]> {
  if (items.length === 0) return [];
  let approvers = items.every((i) => i.second_approval === 'owners') ? await from.owners() : [];
  if (approvers.length === 0) approvers = await from.admins();
  return approvers;
}

/** Who the page names as the next stage's deciders: 'owners' when every item asks for its owners. */
export function secondStageDeciders(items: Pick<CatalogItem, 'second_approval'>[]): 'owners' | 'admins' {
  const two = items.filter(needsSecondStage);
  return two.length > 0 && two.every((i) => i.second_approval === 'owners') ? 'owners' : 'admins';
}
