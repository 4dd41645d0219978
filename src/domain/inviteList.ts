// Turns a pasted list and/or an uploaded CSV into numbered rows, each either an address to invite
// or the reason it cannot be (so the admin sees a result for every row, not a failed upload).
import { parse } from 'csv-parse/sync';
import { EMAIL_RE } from './validation.ts';

export interface InviteRow {
  rowNumber: number;
  email: string;
  name: string | null;
  problem: string | null; // an i18n key
}

export const MAX_ROWS = 1000;

function fromLine(line: string): { email: string; name: string | null } {
  const angle = /^\s*"?([^"<]*)"?\s*<([^>]+)>\s*$/.exec(line);
  if (angle) return { email: angle[2].trim(), name: angle[1].trim() || null };
  return { email: line.trim(), name: null };
}

export function parseInviteRows(pasted: string, csv: string | null): InviteRow[] | { error: string } {
  const raw: { email: string; name: string | null }[] = [];
  for (const line of pasted.split(/\r?\n/)) {
    // A line with several addresses ("a@x.test, b@y.test") is a list; one address may carry a name.
    const parts = (line.match(/@/g) ?? []).length > 1 ? line.split(/[\s,;]+/) : [line];
    for (const part of parts) if (part.trim()) raw.push(fromLine(part));
  }
  if (csv) {
    let records: string[][];
    try {
      records = parse(csv, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
    } catch {
      return { error: 'invite.csvUnreadable' };
    }
    const header = records[0]?.map((h) => h.toLowerCase());
    const emailCol = header?.findIndex((h) => h === 'email' || h === 'e-mail' || h === 'mail') ?? -1;
    const nameCol = header?.findIndex((h) => h === 'name' || h === 'display name' || h === 'displayname') ?? -1;
    for (const [i, rec] of records.entries()) {
      if (i === 0 && emailCol >= 0) continue;
      const email = emailCol >= 0 ? rec[emailCol] ?? '' : rec.find((f) => f.includes('@')) ?? rec[0] ?? '';
      const name = nameCol >= 0 ? rec[nameCol] ?? null : rec.find((f) => f && !f.includes('@')) ?? null;
      raw.push({ email: email.trim(), name: name?.trim() || null });
    }
  }
  if (raw.length === 0) return { error: 'invite.noRows' };
  if (raw.length > MAX_ROWS) return { error: 'invite.tooManyRows' };
  const seen = new Set<string>();
  return raw.map((r, i) => {
    const email = r.email.toLowerCase();
    let problem: string | null = null;
    if (!EMAIL_RE.test(email) || email.length > 320) problem = 'invite.result.malformed';
    else if (seen.has(email)) problem = 'invite.result.duplicate';
    seen.add(email);
    return { rowNumber: i + 1, email: r.email.slice(0, 320), name: r.name?.slice(0, 200) ?? null, problem };
  });
}
