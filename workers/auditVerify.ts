// "Verify the chain now": the checks of `passerelle audit verify` (src/audit/verify.ts: every event's
// hash and link, and the database's signed checkpoints, under the worker's key when it has one), up
// to the head as it was when the job began. The result goes into the verification's row and the log,
// in one transaction. Safe twice: a verification already finished is left as it is.
import type { KeyObject } from 'node:crypto';
import type { Deps } from '../src/deps.ts';
import { appendAudit, type AuditContext } from '../src/db/audit.ts';
import { findVerification, finishVerification } from '../src/db/auditVerifications.ts';
import { inTransaction } from '../src/db/knex.ts';
import { verifyAudit } from '../src/audit/verify.ts';
import { keyIdOf, publicKeyOf } from '../src/domain/auditCheckpoint.ts';

export interface AuditVerifyJob {
  verificationId: number;
  correlationId?: string | null;
}

export async function verifyAuditChainJob(deps: Deps, ctx: AuditContext, data: AuditVerifyJob): Promise<'ok' | 'broken' | 'done-already' | 'unknown'> {
  const id = Number(data.verificationId);
  const before = Number.isInteger(id) ? await findVerification(deps.db, id) : null;
  if (!before) return 'unknown';
  if (before.status !== 'queued') return 'done-already';
  const keys = new Map<string, KeyObject>();
  const key = deps.config.audit.signingKey;
  if (key) keys.set(keyIdOf(key), publicKeyOf(key));
  const verdict = await verifyAudit(deps.db, keys, [], { upToHead: true });
  const result = verdict.ok
    ? { status: 'ok' as const, events: verdict.events, badSeq: null, message: null }
    : { status: 'broken' as const, events: null, badSeq: verdict.badSeq, message: verdict.message };
  const recorded = await inTransaction(deps.db, async (trx) => {
    if (!(await finishVerification(trx, id, result, new Date().toISOString()))) return false;
    await appendAudit(trx, ctx, {
      action: 'audit.verified',
      target: `verification:${id}`,
      outcome: verdict.ok ? 'success' : 'failure',
      details: verdict.ok ? { events: verdict.events, checkpoints: verdict.checkpoints.length } : { badSeq: verdict.badSeq, message: verdict.message },
    });
    return true;
  });
  return recorded ? result.status : 'done-already';
}

/**
 * A verification whose job used up its attempts: finished as failed, with why, so the page stops
 * saying it waits and the log says it never concluded.
 */
export async function giveUpAuditVerification(deps: Deps, ctx: AuditContext, data: AuditVerifyJob, error: string): Promise<void> {
  const id = Number(data.verificationId);
  if (!Number.isInteger(id)) return;
  const message = error.replace(/\s+/g, ' ').slice(0, 500);
  await inTransaction(deps.db, async (trx) => {
    if (!(await finishVerification(trx, id, { status: 'failed', events: null, badSeq: null, message }, new Date().toISOString()))) return;
    await appendAudit(trx, ctx, { action: 'audit.verify_failed', target: `verification:${id}`, outcome: 'failure', details: { error: message } });
  });
}
