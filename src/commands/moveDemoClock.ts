// The demo's clock, moved forward so that a person trying the product sees fourteen days pass in a
// second: reminders, expiry notices, reviews at their deadline. Never in production (the command
// refuses, and the processes there do not follow it).
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { readDemoClockOffset, writeDemoClockOffset } from '../db/demoClock.ts';
import { invalid } from '../domain/errors.ts';

const DAY_MS = 86_400_000;
const MAX_MS = 10 * 365 * DAY_MS;

/** "15d", "36h", "90m", or "reset"; the move in milliseconds (null: back to the real time). */
export function parseClockMove(text: string): number | null | undefined {
  if (text === 'reset') return null;
  const m = /^(\d{1,5})([dhm])$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { d: DAY_MS, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
}

/** Moves the demo clock by `byMs` (null: back to now); returns the new offset. */
export async function moveDemoClock(deps: Deps, ctx: AuditContext, byMs: number | null): Promise<number> {
  if (deps.config.env === 'production') throw invalid('errors.invalidForm');
  return inTransaction(deps.db, async (trx) => {
    const before = (await readDemoClockOffset(trx)) ?? 0;
    const after = byMs === null ? 0 : before + byMs;
    if (after > MAX_MS) throw invalid('errors.invalidForm');
    await writeDemoClockOffset(trx, after);
    await appendAudit(trx, ctx, { action: 'clock.moved', target: 'clock:demo', details: { days: Math.round((after / DAY_MS) * 10) / 10, changes: { offsetMs: [before, after] } } });
    return after;
  });
}
