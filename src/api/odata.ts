// The small part of OData that Graph clients send: $top, $skiptoken, $select and a $filter made of
// comparisons joined by "and". Anything else is refused with a message naming what is not supported.
import { z } from 'zod';
import { badRequest } from './errors.ts';

export const top = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[1-9]\d{0,3}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n <= max, `must be a whole number from 1 to ${max}`)
    .optional()
    .transform((n) => n ?? fallback)
    .meta({ description: `Page size (1-${max}, default ${fallback}).` });

export const skiptoken = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, 'is not a token this API issued; follow @odata.nextLink as given')
  .transform(Number)
  .optional()
  .meta({ description: 'Where the next page starts; take it from @odata.nextLink.' });

export const select = (fields: readonly string[]) =>
  z
    .string()
    .max(500)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((l) => l.every((f) => fields.includes(f)), `may name only: ${fields.join(', ')}`)
    .optional()
    .meta({ description: `Comma-separated properties to return: ${fields.join(', ')}.` });

export const filter = (description: string) => z.string().max(1000).optional().meta({ description });

export interface Clause {
  field: string;
  op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'startswith';
  value: string;
}

const CLAUSE =
  /^\s*(?:([A-Za-z]+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|[^\s()']+)|startswith\(\s*([A-Za-z]+)\s*,\s*('(?:[^']|'')*')\s*\))\s*/i;

const unquote = (v: string) => (v.startsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : v);

/** `userType eq 'Guest' and startswith(displayName,'a')` → clauses; anything else is a 400. */
export function parseFilter(text: string | undefined, allowed: Record<string, Clause['op'][]>): Clause[] {
  if (!text) return [];
  const out: Clause[] = [];
  let rest = text;
  for (;;) {
    const m = CLAUSE.exec(rest);
    if (!m) throw badRequest(`$filter: cannot read "${rest.slice(0, 60)}". Supported: ${describe(allowed)}, joined by "and".`);
    const clause: Clause = m[1]
      ? { field: m[1], op: m[2].toLowerCase() as Clause['op'], value: unquote(m[3]) }
      : { field: m[4], op: 'startswith', value: unquote(m[5]) };
    if (!allowed[clause.field]?.includes(clause.op)) {
      throw badRequest(`$filter: "${clause.field} ${clause.op}" is not supported. Supported: ${describe(allowed)}.`);
    }
    out.push(clause);
    rest = rest.slice(m[0].length);
    if (!rest.trim()) return out;
    const and = /^and\s+/i.exec(rest);
    if (!and) throw badRequest(`$filter: expected "and" before "${rest.slice(0, 40)}".`);
    rest = rest.slice(and[0].length);
  }
}

function describe(allowed: Record<string, Clause['op'][]>): string {
  return Object.entries(allowed)
    .map(([f, ops]) => ops.map((o) => (o === 'startswith' ? `startswith(${f},'…')` : `${f} ${o} …`)).join(', '))
    .join(', ');
}

/** The link to the next page: the same query with $skiptoken set, as Graph clients expect. */
export function nextLink(base: string, path: string, query: Record<string, unknown>, next: number | null): string | undefined {
  if (next === null) return undefined;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k !== '$skiptoken' && typeof v === 'string') params.set(k, v);
  }
  params.set('$skiptoken', String(next));
  return `${base}${path}?${params.toString()}`;
}

/** Only the properties named in $select (Graph returns just those). */
export function pick<T extends Record<string, unknown>>(o: T, fields: string[] | undefined): Partial<T> {
  if (!fields?.length) return o;
  return Object.fromEntries(Object.entries(o).filter(([k]) => fields.includes(k) || k.startsWith('@odata.'))) as Partial<T>;
}
