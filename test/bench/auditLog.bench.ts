// `npm run bench`: the audit log stays fast when it is large. Builds a chained log of N events in a
// fresh database, then times the admin page's queries (first page, deep page, filtered) and a full
// `audit verify`. Exits 1 when a target is missed. Bounded: N events, a fixed number of runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDb, migrateLatest } from '../../src/db/knex.ts';
import { listAudit, verifyAuditChain } from '../../src/db/audit.ts';
import { eventHash, GENESIS_HASH } from '../../src/domain/auditChain.ts';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const RUNS = 20;
const targets = { pageMs: 25, verifyPerEventUs: 50, rssMb: 400 };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-'));
const db = createDb(process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(dir, 'bench.sqlite')}`);

async function build(): Promise<void> {
  await migrateLatest(db);
  const actions = ['request.submitted', 'request.routed', 'request.approved', 'mail.sent', 'auth.signed_in'];
  let prev = GENESIS_HASH;
  const batch: Record<string, unknown>[] = [];
  for (let seq = 1; seq <= N; seq++) {
    const e = {
      seq,
      at: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
      actor_type: 'user',
      actor_id: `user:${seq % 500}`,
      actor_label: `person${seq % 500}@acme.test`,
      action: actions[seq % actions.length],
      target: `request:${Math.floor(seq / 5)}`,
      outcome: 'success',
      ip: '127.0.0.1',
      correlation_id: `c-${seq}`,
      details: '{}',
      prev_hash: prev,
    };
    const hash = eventHash(e);
    batch.push({ ...e, hash });
    prev = hash;
    if (batch.length === 500) await db.batchInsert('audit_events', batch.splice(0), 500);
  }
  if (batch.length) await db.batchInsert('audit_events', batch, 500);
  await db('audit_head').where({ id: 1 }).update({ seq: N, hash: prev });
}

async function time(name: string, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const p95 = samples[Math.floor(samples.length * 0.95) - 1];
  console.log(`${name.padEnd(42)} median ${samples[samples.length >> 1].toFixed(2)} ms   p95 ${p95.toFixed(2)} ms`);
  return p95;
}

const t0 = performance.now();
await build();
console.log(`built ${N} chained audit events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const pages = [
  await time('first page (newest 50)', () => listAudit(db, { limit: 50 })),
  await time('deep page (before seq 1000)', () => listAudit(db, { limit: 50, before: 1000 })),
  await time('filter by action, deep', () => listAudit(db, { action: 'mail.sent', before: 5000, limit: 50 })),
  await time('filter by actor', () => listAudit(db, { actor: 'person42@acme.test', limit: 50 })),
  await time('filter by target', () => listAudit(db, { target: 'request:777', limit: 50 })),
];
const v0 = performance.now();
const check = await verifyAuditChain(db);
const verifyMs = performance.now() - v0;
const rssMb = process.memoryUsage().rss / 1024 / 1024;
console.log(`audit verify of ${N} events: ${(verifyMs / 1000).toFixed(2)} s (${((verifyMs * 1000) / N).toFixed(1)} µs/event), ok=${check.ok}`);
console.log(`resident memory: ${rssMb.toFixed(0)} MB`);
await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });

const failures = [
  ...pages.filter((p) => p > targets.pageMs).map((p) => `a page took ${p.toFixed(1)} ms (target ${targets.pageMs} ms)`),
  ...((verifyMs * 1000) / N > targets.verifyPerEventUs ? [`verify took ${((verifyMs * 1000) / N).toFixed(1)} µs/event`] : []),
  ...(rssMb > targets.rssMb ? [`memory ${rssMb.toFixed(0)} MB`] : []),
  ...(check.ok ? [] : ['the built chain did not verify']),
];
if (failures.length) {
  console.error(`\nMissed targets:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nAll targets met.');
