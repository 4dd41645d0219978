// Before/after snapshots for audit events, with secrets never written.
const SECRET_FIELDS = new Set(['client_secret', 'token', 'token_hash', 'code_hash', 'password']);

export function redact<T extends Record<string, unknown>>(row: T | undefined | null): Record<string, unknown> | null {
  if (!row) return null;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? '[redacted]' : v]));
}

/** Only the fields that changed, as { field: [before, after] }; a changed secret shows as changed, never its value. */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    const old = before?.[k];
    if (JSON.stringify(old) === JSON.stringify(v)) continue;
    out[k] = SECRET_FIELDS.has(k) ? '[changed]' : [old ?? null, v];
  }
  return out;
}
