// All Bull code stays behind src/queue/ (Bull is in maintenance mode; a swap should touch only here).
import Bull from 'bull';
import type { Config } from '../config.ts';

export const JOBS = {
  routeRequest: 'route-request',
  provision: 'provision',
  sendMail: 'send-mail',
  invitationBatch: 'invitation-batch',
  auditCheckpoint: 'audit-checkpoint',
  appAccessEnded: 'app-access-ended',
  appSignOut: 'app-sign-out',
  auditVerify: 'audit-verify',
  upkeep: 'upkeep',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which job an outbox topic becomes. */
export const TOPIC_TO_JOB: Record<string, JobName> = {
  'request.submitted': JOBS.routeRequest,
  'request.approved': JOBS.provision,
  'mail.send': JOBS.sendMail,
  'batch.process': JOBS.invitationBatch,
  'app.access_ended': JOBS.appAccessEnded,
  // Signed out of Passerelle in one browser: each app that browser signed in to, told for that session.
  'app.session_ended': JOBS.appSignOut,
  // An admin asked for the audit chain to be verified (one job per request: the outbox row's id).
  'audit.verify': JOBS.auditVerify,
};

export type Queues = Record<JobName, Bull.Queue> & {
  /** Stops taking jobs, lets running ones finish (at most maxWaitMs), gives back unstarted ones. */
  stopProcessing(maxWaitMs?: number): Promise<void>;
  close(maxWaitMs?: number): Promise<void>;
};

// When a job completes, Bull already fetches and locks the next one; a worker that stops right then
// would leave that job "active" and locked until the lock expires. This hands it back at once.
const GIVE_BACK = `
if redis.call('GET', KEYS[3]) == ARGV[2] then
  redis.call('LREM', KEYS[1], 0, ARGV[1])
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[3])
  return 1
end
return 0`;

type BullInternals = Bull.Queue & { token: string; keys: { active: string; wait: string }; client: { eval(...args: unknown[]): Promise<number> } };

async function giveBackUnstarted(queue: Bull.Queue): Promise<number> {
  const q = queue as BullInternals;
  let n = 0;
  for (const job of await queue.getActive()) {
    const lockKey = (job as unknown as { lockKey(): string }).lockKey();
    n += Number(await q.client.eval(GIVE_BACK, 3, q.keys.active, q.keys.wait, lockKey, String(job.id), q.token));
  }
  return n;
}

/**
 * Adds a job under a fixed id unless one with that id is still waiting, delayed or running. Bull
 * refuses a duplicate id anyway, but it also keeps finished jobs under their ids: a finished (or
 * stuck) one is removed first so that work found undone again gets a fresh job.
 */
export async function addOnce(queue: Bull.Queue, jobId: string, data: object): Promise<boolean> {
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (['waiting', 'active', 'delayed', 'paused'].includes(state)) return false;
    await existing.remove();
  }
  await queue.add(data, { jobId });
  return true;
}

/**
 * Adds a job under a fixed id unless one with that id exists in any state, finished ones included:
 * for work that must be done at most once per cause (a retried fan-out must not redo what its
 * earlier attempt enqueued and a job already did). Bull keeps finished jobs (removeOnComplete).
 */
export async function addUnlessKnown(queue: Bull.Queue, jobId: string, data: object): Promise<void> {
  await queue.add(data, { jobId });
}

const within = (p: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
};

export function createQueues(config: Config): Queues {
  const make = (name: JobName) =>
    new Bull(name, config.redisUrl, {
      prefix: `${config.redisPrefix}:bull`,
      defaultJobOptions: {
        attempts: config.jobAttempts,
        backoff: { type: 'exponential', delay: config.jobBackoffMs },
        removeOnComplete: 1000,
        removeOnFail: false,
      },
      // Locks outlive the slowest external call (configuration keeps SMTP timeouts under a third of it).
      // A job whose worker died is picked up again after about one lock period.
      settings: { lockDuration: config.jobLockMs, stalledInterval: Math.max(250, Math.floor(config.jobLockMs / 2)), maxStalledCount: 3 },
    });
  const queues: Record<JobName, Bull.Queue> = {
    [JOBS.routeRequest]: make(JOBS.routeRequest),
    [JOBS.provision]: make(JOBS.provision),
    [JOBS.sendMail]: make(JOBS.sendMail),
    [JOBS.invitationBatch]: make(JOBS.invitationBatch),
    [JOBS.auditCheckpoint]: make(JOBS.auditCheckpoint),
    [JOBS.appAccessEnded]: make(JOBS.appAccessEnded),
    [JOBS.appSignOut]: make(JOBS.appSignOut),
    [JOBS.auditVerify]: make(JOBS.auditVerify),
    [JOBS.upkeep]: make(JOBS.upkeep),
  };
  const all = Object.values(queues);
  return Object.assign(queues, {
    async stopProcessing(maxWaitMs = 30_000) {
      await within(Promise.all(all.map((q) => q.pause(true))), maxWaitMs);
      await within(Promise.all(all.map((q) => giveBackUnstarted(q).catch(() => 0))), 5000);
    },
    /** Waits for running jobs to finish (Bull's close), but never longer than maxWaitMs. */
    async close(maxWaitMs = 30_000) {
      // A queue closed while its Redis connections are still being set up rejects a promise nobody
      // holds ("Connection is closed"); let set-up finish (or fail) first.
      await within(Promise.all(all.map((q) => q.isReady().catch(() => undefined))), Math.min(maxWaitMs, 2000));
      await within(Promise.all(all.map((q) => q.close())), maxWaitMs);
    },
  });
}
