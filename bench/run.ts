// `npm run bench`: Passerelle against the bare stack, in one run. Every figure is a ratio to a
// ceiling measured moments before or after on the same machine, plus latency percentiles; results
// are printed and written to bench/results.json. Bounded: fixed durations and counts, 127.0.0.1 only.
// BENCH_SCALE scales the data (0.1 = ten times smaller), BENCH_PG=0 skips PostgreSQL,
// BENCH_ONLY=1,2,4 runs some figures only. Never part of `npm test`: CI times nothing.
import os from 'node:os';
import { benchStack } from './lib/stack.ts';
import { printTable, writeResults, type Row } from './lib/report.ts';
import { inbox, submission } from './scenarios/web.ts';
import { auditLog } from './scenarios/audit.ts';
import { approvals } from './scenarios/approvals.ts';
import { appSignIns } from './scenarios/appSignIn.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const only = new Set((process.env.BENCH_ONLY ?? '1,2,3,4,5,6,7').split(','));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rows: Row[] = [];

async function databaseRun(postgres: boolean): Promise<void> {
  const label = postgres ? 'postgres' : 'sqlite';
  const b = await benchStack({ postgres });
  try {
    const o = { label, seconds, connections: 50, inboxRequests: Math.round(100_000 * scale), guests: Math.round(10_000 * scale) };
    if (only.has('1')) rows.push(...(await submission(b, o)));
    if (only.has('2')) rows.push(...(await inbox(b, o)));
    if (only.has('3')) rows.push(...(await approvals(b, { label, count: Math.round(2000 * Math.min(scale, 1)), connections: 50 })));
    if (only.has('5')) {
      const rss = b.rss();
      rows.push({ name: `5 memory, web (${label})`, figure: rss.web, unit: 'MB', target: '< 150 MB', ok: rss.web < 150 });
      rows.push({ name: `5 memory, worker (${label})`, figure: rss.worker, unit: 'MB', target: '< 120 MB', ok: rss.worker < 120 });
    }
    // After figure 5, so the memory figures stay those of the pages and jobs they always measured.
    if (only.has('7')) rows.push(...(await appSignIns(b, { label, seconds, loops: 16, maxCount: 50_000 })));
  } finally {
    await b.stop();
  }
}

await databaseRun(false);
if (only.has('6') && process.env.BENCH_PG !== '0') await databaseRun(true);
if (only.has('4')) rows.push(...(await auditLog({ label: 'sqlite', events: Math.round(1_000_000 * scale), postgres: false })));
if (only.has('4') && only.has('6') && process.env.BENCH_PG !== '0') rows.push(...(await auditLog({ label: 'postgres', events: Math.round(1_000_000 * scale), postgres: true })));

printTable(rows);
const file = writeResults(rows, { scale, seconds, machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version } });
console.log(`\nwritten to ${file}`);
process.exit(rows.every((r) => r.ok) ? 0 : 1);
