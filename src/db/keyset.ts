// Keyset paging: a query asks for one row more than a page; that extra row only says whether a
// next page exists, and the page's last key is where the next one starts.

export interface Page<T> {
  rows: T[];
  /** Where the next page starts (the last id or sequence number of this one), if there is one. */
  next: number | null;
}

/** `rows` as read with `limit + 1`. */
export function keysetPage<T>(rows: T[], limit: number, key: (r: T) => number): Page<T> {
  const more = rows.length > limit;
  const out = rows.slice(0, limit);
  return { rows: out, next: more ? key(out[out.length - 1]) : null };
}
