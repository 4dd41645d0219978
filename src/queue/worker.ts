// The worker process: the processors (outbox relay, sweeper) and one Bull handler per job, which
// calls its task in workers/. Nothing here changes state itself: the tasks do, through commands.
import type { Logger } from 'pino';
import type { Deps } from '../deps.ts';
import { addUnlessKnown, createQueues, JOBS, type Queues } from './queues.ts';
import { startRelay, type Relay } from './relay.ts';
import { enqueueUpkeepNow, startSweeper } from './sweeper.ts';
import { jobContext } from './system.ts';
import { createTransport, MAIL_CONCURRENCY } from '../mail/transport.ts';
import { routeRequest } from '../../workers/routeRequest.ts';
import { provisionRequest } from '../../workers/provision.ts';
import { sendMail } from '../../workers/sendMail.ts';
import { processBatch } from '../../workers/processBatch.ts';
import { enqueueCheckpointIfDue, writeCheckpoint } from '../../workers/auditCheckpoint.ts';
import { failMail } from '../../workers/failMail.ts';
import { appsToSignOut } from '../../workers/appAccessEnded.ts';
import { failAppSignOut, signOutOfApp } from '../../workers/appSignOut.ts';
import { setClockOffsetMs } from '../domain/clock.ts';
import { followDemoClock } from '../clockFollower.ts';
import { verifyAuditChainJob, giveUpAuditVerification } from '../../workers/auditVerify.ts';
import { runUpkeep } from '../../workers/upkeep.ts';
import { OidcMount } from '../oidc/mount.ts';
import { ConfigError } from '../config.ts';

export interface WorkerHandle {
  queues: Queues;
  relay: Relay;
  close(): Promise<void>;
}

export async function startWorker(deps: Deps, log: Logger): Promise<WorkerHandle> {
  if (deps.config.clockOffsetMs) setClockOffsetMs(deps.config.clockOffsetMs);
  // Only the worker holds the audit signing key (the web process, the most exposed, never needs it).
  // In production a worker without one would leave the log open to an undetected rewrite by anyone
  // who can write the database: it does not start.
  if (!deps.config.audit.signingKey) {
    if (deps.config.env === 'production') {
      throw new ConfigError('Invalid configuration:\n  AUDIT_SIGNING_KEY: required in production for the worker, which signs audit checkpoints (passerelle audit new-key makes one)');
    }
    log.warn('AUDIT_SIGNING_KEY is not set: no audit checkpoints are signed, and a rewrite of the audit log by someone who can write the database would go unnoticed');
  }
  const queues = createQueues(deps.config);
  const transport = createTransport(deps.config);
  const relay = startRelay(deps.db, queues, deps.config.outboxPollMs, log);

  queues[JOBS.routeRequest].process(4, async (job) => {
    const result = await routeRequest(deps, jobContext(JOBS.routeRequest, job.id), job.data);
    if (result === 'routed') relay.kick();
    return result;
  });
  queues[JOBS.provision].process(2, async (job) => {
    const result = await provisionRequest(deps, jobContext(JOBS.provision, job.id), job.data);
    if (result === 'provisioned') relay.kick();
    return result;
  });
  queues[JOBS.invitationBatch].process(1, (job) => processBatch(deps, jobContext(JOBS.invitationBatch, job.id), job.data, () => relay.kick()));
  // Mostly waiting on the SMTP server: several at once, over pooled connections. Safe: a message is
  // claimed before it is sent, and a sent one is never resent.
  queues[JOBS.sendMail].process(MAIL_CONCURRENCY, (job) => sendMail({ ...deps, transport }, jobContext(JOBS.sendMail, job.id), job.data));
  queues[JOBS.auditCheckpoint].process(1, () => writeCheckpoint(deps, log));
  // Access to apps ended: one sign-out job per app, under an id made of this job's, so that this
  // job retried never makes a second one for an app (and resends nothing already delivered).
  queues[JOBS.appAccessEnded].process(2, async (job) => {
    const clientIds = await appsToSignOut(deps, job.data);
    for (const clientId of clientIds) {
      await addUnlessKnown(queues[JOBS.appSignOut], `${job.id}-${clientId}`, { userId: job.data.userId, clientId, correlationId: `job:${JOBS.appAccessEnded}:${job.id}` });
    }
    return clientIds.length;
  });
  // The OpenID Provider, as the web process has it (same keys, same rotation), makes the logout tokens.
  const oidc = new OidcMount(deps, log);
  queues[JOBS.appSignOut].process(4, (job) =>
    signOutOfApp(deps, jobContext(JOBS.appSignOut, job.id, job.data.correlationId), () => oidc.provider(), log, job.data),
  );
  // The time-based passes (expiries, notices, reminders, reviews, clean-up), one job per sweep interval.
  // Each pass audits as itself (system:expire-memberships…), correlated with the upkeep job.
  queues[JOBS.upkeep].process(1, async (job) => {
    const done = await runUpkeep(deps, (pass) => jobContext(pass, job.id, `job:${JOBS.upkeep}:${job.id}`)).finally(() => relay.kick());
    return done;
  });
  queues[JOBS.auditVerify].process(1, (job) => verifyAuditChainJob(deps, jobContext(JOBS.auditVerify, job.id, job.data.correlationId), job.data));
  for (const q of Object.values(JOBS)) {
    queues[q].on('failed', (job, err) => log.warn({ queue: q, jobId: job.id, attempts: job.attemptsMade, err: err.message }, 'job failed'));
    queues[q].on('error', (err) => log.error({ queue: q, err: err.message }, 'queue error'));
  }
  // A message that used up its attempts is marked failed, for an admin to see and retry.
  queues[JOBS.sendMail].on('failed', (job) => {
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    void failMail(deps, jobContext(JOBS.sendMail, job.id), job.data).catch((err) => log.error({ err }, 'could not mark mail failed'));
  });
  // A chain verification that used up its attempts is finished as failed, not left waiting.
  queues[JOBS.auditVerify].on('failed', (job, err) => {
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    void giveUpAuditVerification(deps, jobContext(JOBS.auditVerify, job.id, job.data.correlationId), job.data, err.message).catch((e) =>
      log.error({ err: e }, 'could not record a chain verification given up'),
    );
  });
  // A back-channel logout that used up its attempts is put on record as not delivered.
  queues[JOBS.appSignOut].on('failed', (job, err) => {
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    void failAppSignOut(deps, jobContext(JOBS.appSignOut, job.id, job.data.correlationId), job.data, job.attemptsMade, err.message).catch((e) =>
      log.error({ err: e }, 'could not record a back-channel logout given up'),
    );
  });

  const sweeper = startSweeper(deps, queues, log);
  // The demo's clock moved: the upkeep runs at once rather than at the next sweep, up to a minute later.
  const demoClock = followDemoClock(deps, log, () => enqueueUpkeepNow(queues));

  // Whether an audit checkpoint is due is two reads: asked every few seconds so that the event-count
  // trigger is kept under load; the job itself goes through Bull like all background work.
  let checkpointing = false;
  const checkpointer = setInterval(() => {
    if (checkpointing) return;
    checkpointing = true;
    enqueueCheckpointIfDue(deps, queues)
      .catch((err) => log.warn({ err: (err as Error).message }, 'could not check whether an audit checkpoint is due; will retry'))
      .finally(() => (checkpointing = false));
  }, Math.max(100, Math.min(5_000, deps.config.audit.checkpointEveryMinutes * 60_000)));

  // SIGTERM: no new jobs, running ones finish, jobs Bull had already claimed go back to the queue.
  // Closing twice (a second signal, a test's clean-up) waits for the first close instead of redoing it.
  let closing: Promise<void> | null = null;
  return {
    queues,
    relay,
    close() {
      closing ??= (async () => {
        sweeper.stop();
        demoClock.stop();
        clearInterval(checkpointer);
        await queues.stopProcessing();
        await relay.stop();
        await queues.close();
        transport.close();
      })();
      return closing;
    },
  };
}
