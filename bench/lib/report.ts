// One row per figure: the figure, the ceiling measured in the same run, their ratio, latency
// percentiles and whether the targets hold. Printed as a table and written to bench/results.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Row {
  /** e.g. "1 request submission (sqlite)" */
  name: string;
  figure: number;
  unit: string;
  ceiling?: number;
  ratio?: number;
  p50?: number;
  p99?: number;
  /** The targets in words, e.g. "ratio ≥ 0.5, p99 < 100 ms". */
  target: string;
  ok: boolean;
  /** A measurement to read the others by (the stack floor), with no target of its own. */
  reference?: boolean;
  notes?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '' : Number(n.toFixed(digits)).toString());

export function printTable(rows: Row[]): void {
  const header = ['figure', 'value', 'ceiling', 'ratio', 'p50 ms', 'p99 ms', 'target', ''];
  const lines = rows.map((r) => [r.name, `${fmt(r.figure)} ${r.unit}`, fmt(r.ceiling), fmt(r.ratio, 2), fmt(r.p50), fmt(r.p99), r.target, r.reference ? '' : r.ok ? 'ok' : 'MISSED']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
}

export function writeResults(rows: Row[], extra: Record<string, unknown>): string {
  const file = path.join(root, 'bench/results.json');
  fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...extra, rows }, null, 2)}\n`);
  return file;
}
