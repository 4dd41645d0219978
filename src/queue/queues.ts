// All Bull code stays behind src/queue/ (Bull is in maintenance mode; a swap should touch only here).
import Bull from 'bull';
import type { Config } from '../config.ts';

export const JOBS = {
  routeRequest: 'route-request',
  provision: 'provision',
  sendMail: 'send-mail',
  invitationBatch: 'invitation-batch',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which job an outbox topic becomes. */
export const TOPIC_TO_JOB: Record<string, JobName> = {
  'request.submitted': JOBS.routeRequest,
  'request.approved': JOBS.provision,
  'mail.send': JOBS.sendMail,
  'batch.process': JOBS.invitationBatch,
};

export type Queues = Record<JobName, Bull.Queue> & { close(maxWaitMs?: number): Promise<void> };

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
  };
  const all = Object.values(queues);
  return Object.assign(queues, {
    /** Waits for running jobs to finish (Bull's close), but never longer than maxWaitMs. */
    async close(maxWaitMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(all.map((q) => q.close())),
        new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs))),
      ]);
      clearTimeout(timer);
    },
  });
}
