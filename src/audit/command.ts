// `passerelle audit verify | public-key | new-key`.
import fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { keyIdOf, newSigningKey, parsePublicKey, publicKeyOf, publicKeyPem } from '../domain/auditCheckpoint.ts';
import { readCheckpointFile } from './checkpointFile.ts';
import { verifyAudit, type SourcedCheckpoint } from './verify.ts';

export const AUDIT_USAGE = `Usage: passerelle audit verify [--checkpoints FILE]... [--public-key PEM_FILE]...
       passerelle audit public-key
       passerelle audit new-key`;

/** `--name value` and `--name=value`, each as many times as given; null when something else is there. */
function options(args: string[], names: string[]): Record<string, string[]> | null {
  const out: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m || !names.includes(m[1])) return null;
    const value = m[2] ?? args[++i];
    if (!value) return null;
    out[m[1]].push(value);
  }
  return out;
}

export async function auditCommand(config: Config, db: Db, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const signingKey = config.audit.signingKey;
  if (sub === 'new-key' && !rest.length) {
    console.log(newSigningKey());
    console.error('Set it as AUDIT_SIGNING_KEY for the worker, then keep `passerelle audit public-key` somewhere the servers cannot write.');
    return 0;
  }
  if (sub === 'public-key' && !rest.length) {
    if (!signingKey) {
      console.error('AUDIT_SIGNING_KEY is not set.');
      return 2;
    }
    process.stdout.write(publicKeyPem(signingKey));
    console.error(`Key id ${keyIdOf(signingKey)}.`);
    return 0;
  }
  const opts = sub === 'verify' ? options(rest, ['checkpoints', 'public-key']) : null;
  if (!opts) {
    console.error(AUDIT_USAGE);
    return 2;
  }

  const keys = new Map<string, KeyObject>();
  if (signingKey) keys.set(keyIdOf(signingKey), publicKeyOf(signingKey));
  for (const file of opts['public-key']) {
    try {
      const key = parsePublicKey(fs.readFileSync(file, 'utf8'));
      keys.set(keyIdOf(key), key);
    } catch (err) {
      console.error(`--public-key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return 2;
    }
  }
  const external: SourcedCheckpoint[] = [];
  for (const file of opts.checkpoints) {
    if (!keys.size) {
      console.error(`Checking against ${file} needs the public key: pass --public-key PEM_FILE (from passerelle audit public-key) or set AUDIT_SIGNING_KEY.`);
      return 2;
    }
    const read = await readCheckpointFile(file);
    if ('error' in read) {
      console.error(`Audit checkpoints unreadable: ${file}: ${read.error}.`);
      return 1;
    }
    // Asked to hold the log against this file, and it holds nothing: that is not a pass.
    if (!read.checkpoints.length) {
      console.error(`Audit checkpoints missing: ${file} holds none (${read.ignored} other line(s)).`);
      return 1;
    }
    external.push(...read.checkpoints.map(({ line, ...c }) => ({ ...c, source: `${file} line ${line}` })));
  }

  const verdict = await verifyAudit(db, keys, external);
  if (!verdict.ok) {
    console.error(verdict.message);
    return 1;
  }
  console.log(`Audit log intact: ${verdict.events} event(s) verified.`);
  const newest = verdict.checkpoints.reduce<SourcedCheckpoint | null>((a, c) => (!a || c.seq > a.seq ? c : a), null);
  if (!newest) {
    console.log('No signed checkpoint covers it yet: without one, a rewrite by someone who can write the database would not show.');
  } else {
    const inDb = verdict.checkpoints.length - external.length;
    const from = [`${inDb} in the database`, ...opts.checkpoints.map((f) => `${external.filter((c) => c.source.startsWith(`${f} line `)).length} in ${f}`)];
    const uncovered = verdict.events > newest.seq ? `; events after ${newest.seq} are not covered by one yet` : '';
    const signatures = verdict.unchecked ? '' : ', every signature checked';
    console.log(`Checkpoints it leads to${signatures}: ${verdict.checkpoints.length} (${from.join(', ')}); the newest covers events up to ${newest.seq}, signed ${newest.at}${uncovered}.`);
  }
  if (verdict.unchecked) {
    console.log(`The signatures of ${verdict.unchecked} checkpoint(s) in the database were not checked: set AUDIT_SIGNING_KEY or pass --public-key PEM_FILE.`);
  }
  return 0;
}
