#!/usr/bin/env node
// CI: production dependencies must have no high or critical advisory for which a fix exists.
// Runs `npm audit --omit=dev --json` and reads its report:
//   exit 0  nothing to fix (advisories without a fix are listed, not fatal), or the audit service
//           could not be reached or does not answer audits (a loud warning: nothing was checked);
//   exit 1  a high or critical advisory has a fix available;
//   exit 2  npm audit could not run at all (no lockfile, no report, an unexpected error).
// `--report <file>` reads a saved report instead of running npm (to check this script itself).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const BLOCKING = new Set(['high', 'critical']);
// npm's own words for "the registry or its audit endpoint did not answer": not our dependencies' fault.
const UNREACHABLE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|network|audit endpoint returned an error/i;

function readReport() {
  const i = process.argv.indexOf('--report');
  if (i > 0) return { stdout: readFileSync(process.argv[i + 1], 'utf8'), stderr: '' };
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    console.error(`audit-deps: could not run npm audit: ${run.error.message}`);
    process.exit(2);
  }
  return { stdout: run.stdout, stderr: run.stderr };
}

const { stdout, stderr } = readReport();
let report;
try {
  report = JSON.parse(stdout);
} catch {
  console.error(`audit-deps: npm audit gave no JSON report.\n${stderr}${stdout}`.trim());
  process.exit(2);
}

if (!report.vulnerabilities) {
  const err = report.error ?? {};
  const what = [report.message, report.statusCode && `HTTP ${report.statusCode}`, err.code, err.summary, err.detail, stderr].filter(Boolean).join(' | ');
  if (report.statusCode || UNREACHABLE.test(what)) {
    console.warn(`WARNING: audit-deps: the npm audit service could not be used, so NO advisories were checked: ${what}`);
    process.exit(0);
  }
  console.error(`audit-deps: npm audit failed: ${what || stdout}`);
  process.exit(2);
}

const rows = Object.values(report.vulnerabilities).map((v) => ({
  name: v.name,
  severity: v.severity,
  direct: Boolean(v.isDirect),
  fix: v.fixAvailable === true ? 'npm audit fix' : v.fixAvailable ? `${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? ' (major)' : ''}` : null,
  advisories: (v.via ?? []).filter((x) => typeof x === 'object').map((x) => x.url ?? x.title).filter(Boolean),
}));
const counts = report.metadata?.vulnerabilities ?? {};
const deps = report.metadata?.dependencies?.prod ?? report.metadata?.dependencies?.total ?? '?';
console.log(`audit-deps: ${deps} production dependencies; advisories: ${['critical', 'high', 'moderate', 'low', 'info'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ')}`);
for (const r of rows) {
  console.log(`  ${r.severity.padEnd(8)} ${r.name}${r.direct ? ' (direct)' : ''}: ${r.fix ? `fix: ${r.fix}` : 'no fix available'}${r.advisories.length ? ` — ${r.advisories.join(' ')}` : ''}`);
}
const blocking = rows.filter((r) => BLOCKING.has(r.severity) && r.fix);
if (blocking.length) {
  console.error(`audit-deps: ${blocking.length} high or critical advisory(ies) with a fix available: ${blocking.map((r) => r.name).join(', ')}`);
  process.exit(1);
}
console.log('audit-deps: no high or critical advisory with a fix available');
