// AUDIT_CHECKPOINT_FILE: every checkpoint the worker signs, one JSON line each, appended and never
// rewritten, for an operator to copy or ship somewhere the database's writers cannot reach.
import fs from 'node:fs';
import path from 'node:path';
import { checkpointLine, readCheckpointLines, type Checkpoint, type LineCheckpoint } from '../domain/auditCheckpoint.ts';

/** Appends one checkpoint and waits until it is on disk: the database row is written only after. */
export async function appendCheckpoint(file: string, c: Checkpoint): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const fh = await fs.promises.open(file, 'a', 0o640);
  try {
    await fh.appendFile(`${checkpointLine(c)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** The checkpoints of a file (a checkpoint file or a copy of the worker's log). */
export async function readCheckpointFile(file: string): Promise<{ checkpoints: LineCheckpoint[]; ignored: number } | { error: string }> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    return { error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  return readCheckpointLines(text);
}

const TAIL_BYTES = 64 * 1024;

/**
 * The newest checkpoint of the file this worker appends to, read from its end only (the file grows
 * by about 300 bytes a checkpoint, for years). Null when there is no file or no checkpoint in its end.
 */
export async function lastCheckpointInFile(file: string): Promise<Checkpoint | null> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    // The first line of a tail may be cut, and a crash may have left the last one half written.
    for (let i = lines.length - 1; i >= (start > 0 ? 1 : 0); i--) {
      const read = readCheckpointLines(lines[i]);
      if ('checkpoints' in read && read.checkpoints.length) {
        const { line: _line, ...c } = read.checkpoints[0];
        return c;
      }
    }
    return null;
  } finally {
    await fh.close();
  }
}
