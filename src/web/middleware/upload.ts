import multer from 'multer';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../domain/errors.ts';

// A CSV of a thousand invitations is far below 1 MB; anything larger is refused before it is read.
export const MAX_UPLOAD_BYTES = 1024 * 1024;

const parser = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 50, fieldSize: 256 * 1024, parts: 60 },
}).single('csv');

/** Parses a multipart form with at most one CSV file; oversize or odd uploads are clear 4xx errors. */
export function csvUpload(req: Request, res: Response, next: NextFunction): void {
  parser(req, res, (err: unknown) => {
    if (!err) return next();
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError(413, 'too_large', 'invite.fileTooLarge'));
      return next(new AppError(400, 'bad_upload', 'invite.badUpload'));
    }
    next(err);
  });
}

export function uploadedText(req: Request): string | null {
  const file = (req as Request & { file?: Express.Multer.File }).file;
  if (!file || file.size === 0) return null;
  return file.buffer.toString('utf8');
}
