// What the admin console may ask of the queues: counts, failed jobs, a retry. Bull stays behind src/queue/.
import type { Queues, JobName } from './queues.ts';
import { JOBS } from './queues.ts';

export interface FailedJob {
  queue: JobName;
  id: string;
  data: Record<string, unknown>;
  reason: string;
  attempts: number;
  failedAt: string | null;
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('Redis did not answer')), ms).unref())]);

export async function queueOverview(queues: Queues): Promise<{ counts: Record<string, Record<string, number>>; failed: FailedJob[] } | null> {
  try {
    const names = Object.values(JOBS);
    const counts: Record<string, Record<string, number>> = {};
    const failed: FailedJob[] = [];
    for (const name of names) {
      counts[name] = (await within(queues[name].getJobCounts(), 2000)) as unknown as Record<string, number>;
      for (const job of await within(queues[name].getFailed(0, 49), 2000)) {
        failed.push({
          queue: name,
          id: String(job.id),
          data: job.data,
          reason: job.failedReason ?? '',
          attempts: job.attemptsMade,
          failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        });
      }
    }
    return { counts, failed };
  } catch {
    return null;
  }
}

export async function retryFailedJob(queues: Queues, queue: string, id: string): Promise<boolean> {
  const name = (Object.values(JOBS) as string[]).includes(queue) ? (queue as JobName) : null;
  if (!name) return false;
  const job = await within(queues[name].getJob(id), 2000);
  if (!job || !(await job.isFailed())) return false;
  await job.retry();
  return true;
}
