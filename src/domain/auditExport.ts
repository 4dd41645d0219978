// The audit log's exports: CSV (RFC 4180) and JSON Lines, one event a line, with the sentence an
// admin reads beside the recorded fields.
import type { ChainedEvent } from './auditChain.ts';
import { parseDetails } from './auditActions.ts';

type AuditRow = ChainedEvent & { hash: string };

export const EXPORT_COLUMNS = ['seq', 'at', 'actor_type', 'actor_id', 'actor_label', 'action', 'target', 'outcome', 'ip', 'correlation_id', 'summary', 'details', 'prev_hash', 'hash'] as const;

/**
 * One CSV field. A value a spreadsheet would run as a formula (it starts with = + - @, a tab or a
 * carriage return) gets a leading ' so it stays text; then a value holding a comma, a quote or a line
 * break is quoted, its quotes doubled.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV record, ended by CRLF as RFC 4180 asks. */
export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export const csvHeader = (): string => csvRow(EXPORT_COLUMNS);

export function csvRecord(row: AuditRow, summary: string): string {
  return csvRow(EXPORT_COLUMNS.map((c) => (c === 'summary' ? summary : row[c])));
}

/** One JSON Lines record: the details as the object they are. */
export function jsonLine(row: AuditRow, summary: string): string {
  const { seq, at, actor_type, actor_id, actor_label, action, target, outcome, ip, correlation_id, details, prev_hash, hash } = row;
  return `${JSON.stringify({ seq, at, actor_type, actor_id, actor_label, action, target, outcome, ip, correlation_id, summary, details: parseDetails(details), prev_hash, hash })}\n`;
}
