// Expected failures as data: the error middleware maps each to a status and a page or JSON body.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (message = 'errors.notFound') => new AppError(404, 'not_found', message);
export const forbidden = (message = 'errors.forbidden') => new AppError(403, 'forbidden', message);
export const conflict = (message = 'errors.conflict') => new AppError(409, 'conflict', message);
export const invalid = (message: string, fields: Record<string, string> = {}) => new AppError(400, 'invalid', message, fields);

/**
 * A refusal by a limit. The first one per key and window is audited by the error handlers (so a
 * flood is on record without flooding the audit log as well); the rest only answer 429.
 */
export class RateLimited extends AppError {
  constructor(
    readonly limit: string,
    /** Cleared by a route that audited the refusal itself, with more to say. */
    public firstInWindow: boolean,
  ) {
    super(429, 'too_many_requests', 'errors.tooMany');
  }
}

/** The audit event for the first refusal of a window; other errors and later refusals need none. */
export function rateLimitAudit(err: unknown): { action: string; target: string; reason: string } | null {
  return err instanceof RateLimited && err.firstInWindow ? { action: 'rate_limit', target: `limit:${err.limit}`, reason: 'rate limit reached' } : null;
}
