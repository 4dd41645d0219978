import type { AuditContext } from '../db/audit.ts';

/** The audit context of a background job: the system acts, the job id correlates. */
export function jobContext(jobName: string, jobId: string | number | undefined, correlationId?: string | null): AuditContext {
  return {
    actor: { type: 'system', id: `system:${jobName}`, label: null },
    ip: null,
    correlationId: correlationId ?? (jobId !== undefined ? `job:${jobName}:${jobId}` : null),
  };
}
