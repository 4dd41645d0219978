// 4 The audit log when it is large: the admin audit page (GET /admin/audit as an admin, through the
// whole stack) on its first page, on a page deep in the log (its keyset `before`) and filtered by
// actor, each timed one request at a time for a p99; then `passerelle audit verify` over the whole
// log as a child process, as an operator runs it. Bounded: a fixed event count and sample count.
// The database is the stack's own: a fresh SQLite file in a temporary directory, or a PostgreSQL
// database made, migrated and dropped for this run (test/harness/stack.ts), filled here.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Browser } from '../../test/harness/browser.ts';
import { listAudit } from '../../src/db/audit.ts';
import { benchStack } from '../lib/stack.ts';
import { seedAuditEvents } from '../lib/data.ts';
import { percentile } from '../lib/load.ts';
import type { Row } from '../lib/report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLES = 200;
const WARMUP = 10;
const VERIFY_TIMEOUT_MS = 300_000;

export interface AuditOptions {
  label: string;
  events: number;
  postgres: boolean;
}

async function timeSamples(fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** `passerelle <args>` as a child process; resolves with its wall time and output. */
function runCli(args: string[], env: Record<string, string>): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin/passerelle.js'), ...args], {
      cwd: root,
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), VERIFY_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, code, out: out.trim() });
    });
  });
}

export async function auditLog(o: AuditOptions): Promise<Row[]> {
  const b = await benchStack({ postgres: o.postgres });
  try {
    const { stack } = b;
    const t0 = performance.now();
    await seedAuditEvents(stack.db, o.events);
    const seedSeconds = (performance.now() - t0) / 1000;
    const head = await stack.db('audit_head').where({ id: 1 }).first();
    const newest = Number(head.seq);

    const ada = new Browser();
    await ada.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const headers = { cookie: ada.cookieHeader(stack.appUrl) };
    // Deep: a page a tenth of the way from the oldest event, nine tenths of the log newer than it.
    const deepBefore = Math.max(2, Math.round(newest * 0.1));
    const actor = 'person42@acme.test';
    const pages = [
      { name: `4 audit first page (${o.label})`, query: '', filter: {} },
      { name: `4 audit deep page (${o.label})`, query: `?before=${deepBefore}`, filter: { before: deepBefore } },
      { name: `4 audit filter by actor (${o.label})`, query: `?actor=${encodeURIComponent(actor)}`, filter: { actor } },
    ];

    const rows: Row[] = [];
    for (const p of pages) {
      const url = `${stack.appUrl}/admin/audit${p.query}`;
      let shown = 0;
      const samples = await timeSamples(async () => {
        const res = await fetch(url, { headers, redirect: 'manual' });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        shown = (text.match(/<tr/g) ?? []).length;
      });
      // The same query as the route, without HTTP and rendering: what the database part costs.
      const query = await timeSamples(async () => {
        await listAudit(stack.db, { ...p.filter, limit: 50 });
      });
      const p99 = percentile(samples, 99);
      rows.push({
        name: p.name,
        figure: p99,
        unit: 'ms p99',
        p50: percentile(samples, 50),
        p99,
        target: 'p99 < 50 ms',
        ok: p99 < 50,
        notes: `GET /admin/audit${p.query} as an admin, ${SAMPLES} requests one at a time, ${shown} table rows; listAudit alone p50 ${percentile(query, 50).toFixed(2)} ms, p99 ${percentile(query, 99).toFixed(2)} ms; ${newest} events`,
      });
    }

    // The web and worker processes go first (the worker polls the outbox): verify has the machine.
    await b.web.kill('SIGTERM');
    await b.worker.kill('SIGTERM');
    // What the command costs before it reads a row: start-up (bin/passerelle.js runs the bundle the
    // harness just built) and every module cli.ts imports.
    const startup = await runCli(['help'], stack.env);
    const verify = await runCli(['audit', 'verify'], stack.env);
    const verified = Number(/intact: (\d+) event/.exec(verify.out)?.[1] ?? NaN);
    const seconds = verify.ms / 1000;
    rows.push({
      name: `4 audit verify (${o.label})`,
      figure: seconds,
      unit: 's',
      target: '< 10 s',
      ok: seconds < 10 && verify.code === 0 && verified >= newest,
      notes: `passerelle audit verify as a child process, start-up included (\`passerelle help\` alone: ${(startup.ms / 1000).toFixed(1)} s): "${verify.out.slice(0, 200)}", ${((verify.ms * 1000) / Math.max(1, verified)).toFixed(1)} µs/event; seeding ${o.events} events took ${seedSeconds.toFixed(1)} s`,
    });
    return rows;
  } finally {
    await b.stop();
  }
}
