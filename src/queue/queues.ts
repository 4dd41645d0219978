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

export type Queues = Record<JobName, Bull.Queue> & { close(): Promise<void> };

export function createQueues(config: Config): Queues {
  const make = (name: JobName) =>
    new Bull(name, config.redisUrl, {
      prefix: `${config.redisPrefix}:bull`,
      defaultJobOptions: {
        attempts: config.jobAttempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: 1000,
        removeOnFail: false,
      },
      // Locks outlive the slowest external call (SMTP and IdP timeouts are far shorter).
      settings: { lockDuration: 60_000, stalledInterval: 30_000, maxStalledCount: 2 },
    });
  const queues: Record<JobName, Bull.Queue> = {
    [JOBS.routeRequest]: make(JOBS.routeRequest),
    [JOBS.provision]: make(JOBS.provision),
    [JOBS.sendMail]: make(JOBS.sendMail),
    [JOBS.invitationBatch]: make(JOBS.invitationBatch),
  };
  const all = Object.values(queues);
  return Object.assign(queues, {
    async close() {
      await Promise.all(all.map((q) => q.close()));
    },
  });
}
