// Lists of ids cut into parts far below SQLite's and PostgreSQL's limits on bound parameters.
const CHUNK = 500;

export function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}
