// An access review's result as CSV (RFC 4180, cells that a spreadsheet would read as a formula kept as
// text, like the audit log's export): one line per guest membership reviewed.
import { csvRow } from './auditExport.ts';

export const REVIEW_EXPORT_COLUMNS = [
  'review_id', 'review', 'round_started', 'deadline', 'row_id', 'guest_name', 'guest_email', 'organization', 'access', 'reviewer_kind',
  'reviewer_email', 'decision', 'by_default', 'reason', 'decided_by', 'decided_at', 'applied', 'applied_at',
] as const;

export interface ExportCampaign {
  id: number;
  name: string;
  starts_at: string;
  deadline_at: string;
}

export interface ExportRow {
  id: number;
  guest_name: string;
  guest_email: string;
  organization_name: string | null;
  item_name: string;
  reviewer_kind: string;
  reviewer_email: string | null;
  decision: string | null;
  defaulted: boolean;
  reason: string | null;
  decider_email: string | null;
  decided_at: string | null;
  apply_result: string | null;
  applied_at: string | null;
}

export const reviewCsvHeader = (): string => csvRow(REVIEW_EXPORT_COLUMNS);

export function reviewCsvLine(c: ExportCampaign, r: ExportRow): string {
  return csvRow([
    c.id, c.name, c.starts_at, c.deadline_at, r.id, r.guest_name, r.guest_email, r.organization_name ?? '', r.item_name, r.reviewer_kind,
    r.reviewer_email ?? '', r.decision ?? '', r.defaulted ? 'yes' : 'no', r.reason ?? '', r.decider_email ?? '', r.decided_at ?? '', r.apply_result ?? '', r.applied_at ?? '',
  ]);
}
