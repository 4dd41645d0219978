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
export const unauthenticated = (message = 'errors.signInRequired') => new AppError(401, 'unauthenticated', message);
