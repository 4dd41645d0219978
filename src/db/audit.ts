import { isSqlite, type Db, type Tx } from './client.ts';
import type { Knex } from 'knex';
import { keysetPage } from './keyset.ts';
import { emptyNames, nameRefs, type AuditNames } from '../domain/auditActions.ts';
import { ChainVerifier, eventHash, type ChainAnchor, type ChainCheck, type ChainedEvent, type ChainPoint } from '../domain/auditChain.ts';

export interface Actor {
  type: 'user' | 'anonymous' | 'system' | 'api';
  id: string | null;
  label: string | null;
}

/** Who did it and from where: passed from the web request or the job into every command. */
export interface AuditContext {
  actor: Actor;
  ip: string | null;
  correlationId: string | null;
  /** The caller's own request id (cleaned, short), kept in the event's details and never as its correlation id. */
  clientRequestId?: string | null;
}

export interface AuditInput {
  action: string;
  target?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
}

export type AuditRow = ChainedEvent & { hash: string };

type PendingEvent = Omit<ChainedEvent, 'seq' | 'prev_hash'>;

/** The chain head read when `inTransaction` locked it, and the events this transaction appends. */
const batches = new WeakMap<Tx, { seq: number; hash: string; events: PendingEvent[] }>();

/** Called by `inTransaction` right after it locked the head row. */
export function beginAuditBatch(trx: Tx, head: { seq: number | string; hash: string }): void {
  batches.set(trx, { seq: Number(head.seq), hash: head.hash, events: [] });
}

/**
 * Records one event of this transaction; `inTransaction` writes them all, chained, when its work is
 * done. Collecting them keeps an audited state change to two audit statements however many events
 * it records (provisioning records several), instead of three per event inside the write lock.
 */
export async function appendAudit(trx: Tx, ctx: AuditContext, input: AuditInput): Promise<void> {
  const batch = batches.get(trx);
  if (!batch) throw new Error('appendAudit runs inside inTransaction, which holds the audit head');
  batch.events.push({
    at: new Date().toISOString(),
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.id,
    actor_label: ctx.actor.label,
    action: input.action,
    target: input.target ?? null,
    outcome: input.outcome ?? 'success',
    ip: ctx.ip,
    correlation_id: ctx.correlationId,
    details: JSON.stringify(ctx.clientRequestId ? { ...input.details, clientRequestId: ctx.clientRequestId } : (input.details ?? {})),
  });
}

/** Chains and writes the transaction's events, then moves the head; still inside the lock. */
export async function flushAuditBatch(trx: Tx): Promise<void> {
  const batch = batches.get(trx);
  batches.delete(trx);
  if (!batch?.events.length) return;
  let { seq, hash } = batch;
  const rows = batch.events.map((e) => {
    const row = { ...e, seq: ++seq, prev_hash: hash };
    hash = eventHash(row);
    return { ...row, hash };
  });
  // 13 columns a row: chunks stay far below SQLite's and PostgreSQL's bound-parameter limits.
  for (let i = 0; i < rows.length; i += 500) await trx('audit_events').insert(rows.slice(i, i + 500));
  await trx('audit_head').where({ id: 1 }).update({ seq, hash });
}

export interface AuditFilter {
  /** An e-mail (the actor's label) or an actor id ("user:12", "system:cli"). */
  actor?: string;
  action?: string;
  target?: string;
  outcome?: 'success' | 'failure' | 'denied';
  /** Days in UTC, YYYY-MM-DD: events from the start of `from` to the end of `to`. */
  from?: string;
  to?: string;
  before?: number; // keyset paging: events with seq < before
  limit?: number;
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

/** The filter's conditions on a query of audit_events. */
function filtered<Q extends Knex.QueryBuilder>(q: Q, f: AuditFilter): Q {
  if (f.actor) {
    const actor = f.actor;
    if (actor.includes('@')) q.where('actor_label', actor.toLowerCase());
    // "user:12" names the person whatever they signed in with ("user:12 issuer|subject").
    else if (/^user:\d{1,15}$/.test(actor)) q.where((w) => w.where('actor_id', actor).orWhere('actor_id', 'like', `${actor} %`));
    else q.where('actor_id', actor);
  }
  if (f.action) q.where('action', f.action);
  if (f.target) q.where('target', f.target);
  if (f.outcome) q.where('outcome', f.outcome);
  // Stored times are UTC ISO strings, so a day's bounds compare as text on both databases.
  if (f.from) q.where('at', '>=', `${f.from}T00:00:00.000Z`);
  if (f.to) q.where('at', '<', `${nextDay(f.to)}T00:00:00.000Z`);
  return q;
}

/** Newest first, keyset-paged on seq so a deep page costs the same as the first. */
export async function listAudit(db: Db | Tx, f: AuditFilter): Promise<{ rows: AuditRow[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const q = filtered(db<AuditRow>('audit_events').orderBy('seq', 'desc').limit(limit + 1), f);
  if (f.before) q.where('seq', '<', f.before);
  const page = keysetPage((await q).map((r) => ({ ...r, seq: Number(r.seq) })), limit, (r) => r.seq);
  return { rows: page.rows, nextBefore: page.next };
}

/**
 * The filter's events oldest first, `batchSize` at a time (keyset on seq), up to `upTo` (a seq read
 * before the export began, so the export is what the log held then). Only one batch is in memory.
 */
export async function* auditBatches(db: Db, f: AuditFilter, upTo: number, batchSize = 1000): AsyncGenerator<AuditRow[]> {
  let after = 0;
  for (;;) {
    const q = filtered(db<AuditRow>('audit_events').where('seq', '>', after).where('seq', '<=', upTo).orderBy('seq', 'asc').limit(batchSize), f);
    const rows = (await q).map((r) => ({ ...r, seq: Number(r.seq) }));
    if (rows.length) yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1].seq;
  }
}

/**
 * Every action on record, for the filter's list: one index probe per distinct action (a loose index
 * scan on the action index, as a recursive query both databases run), not a scan of a million rows.
 */
export async function auditActions(db: Db): Promise<string[]> {
  const result = await db.raw(
    `with recursive a(action) as (
       select min(action) from audit_events
       union all
       select (select min(action) from audit_events where action > a.action) from a where a.action is not null
     ) select action from a where action is not null`,
  );
  const rows: { action: string }[] = Array.isArray(result) ? result : result.rows;
  return rows.map((r) => r.action);
}

/** The names a page of events refers to: one read per kind of thing named, all at once. */
export async function auditNames(db: Db, rows: readonly AuditRow[]): Promise<AuditNames> {
  const refs = nameRefs(rows);
  const names = emptyNames();
  const ids = <T>(s: Set<T>) => [...s].slice(0, 5000);
  await Promise.all([
    refs.users.size &&
      db('users').whereIn('id', ids(refs.users)).select('id', 'display_name', 'email', 'user_type')
        .then((rs) => rs.forEach((u) => names.users.set(Number(u.id), { name: u.display_name || u.email, email: u.email, guest: u.user_type === 'guest' }))),
    refs.requests.size &&
      db('access_requests as r')
        .leftJoin('access_request_items as ri', 'ri.request_id', 'r.id')
        .leftJoin('catalog_items as c', 'c.id', 'ri.item_id')
        .whereIn('r.id', ids(refs.requests))
        .orderBy(['r.id', 'c.name'])
        .select('r.id', 'r.requester_name', 'r.requester_email', 'c.name as item')
        .then((rs) =>
          rs.forEach((r) => {
            const id = Number(r.id);
            const known = names.requests.get(id) ?? { owner: String(r.requester_name), ownerEmail: String(r.requester_email).toLowerCase(), items: [] as string[] };
            if (r.item) known.items.push(r.item);
            names.requests.set(id, known);
          }),
        ),
    refs.items.size && db('catalog_items').whereIn('id', ids(refs.items)).select('id', 'name', 'kind').then((rs) => rs.forEach((i) => names.items.set(Number(i.id), { name: i.name, app: i.kind === 'app' }))),
    refs.organizations.size && db('partner_organizations').whereIn('id', ids(refs.organizations)).select('id', 'name').then((rs) => rs.forEach((o) => names.organizations.set(Number(o.id), o.name))),
    refs.idps.size &&
      db('identity_providers').whereIn('slug', ids(refs.idps)).select('id', 'slug', 'name', 'kind')
        .then((rs) => rs.forEach((i) => names.idps.set(i.slug, { id: Number(i.id), name: i.name, page: i.kind !== 'email' }))),
    refs.apiClients.size && db('api_clients').whereIn('id', ids(refs.apiClients)).select('id', 'name').then((rs) => rs.forEach((c) => names.apiClients.set(Number(c.id), c.name))),
    refs.invitations.size && db('invitations').whereIn('id', ids(refs.invitations)).select('id', 'email', 'user_id').then((rs) => rs.forEach((i) => names.invitations.set(Number(i.id), { email: i.email, userId: Number(i.user_id) }))),
    refs.mails.size && db('mail_messages').whereIn('id', ids(refs.mails)).select('id', 'to_address', 'subject').then((rs) => rs.forEach((m) => names.mails.set(Number(m.id), { to: m.to_address, subject: m.subject }))),
    refs.appClients.size &&
      db('app_clients as a').join('catalog_items as c', 'c.id', 'a.item_id').whereIn('a.client_id', ids(refs.appClients)).select('a.client_id', 'a.item_id', 'c.name')
        .then((rs) => rs.forEach((a) => names.appClients.set(a.client_id, { itemId: Number(a.item_id), name: a.name }))),
  ]);
  return names;
}

export async function eventsForTarget(db: Db, target: string): Promise<AuditRow[]> {
  return (await db<AuditRow>('audit_events').where({ target }).orderBy('seq', 'asc')).map((r) => ({ ...r, seq: Number(r.seq) }));
}

// On SQLite the database builds each event's canonical text itself: reading one string per event
// instead of thirteen columns is most of the cost of verifying a long log. json_array renders text,
// NULL and integers exactly as JSON.stringify does (same escapes, UTF-8 decoded the same way), so it
// is used only for rows whose columns are all text or NULL and whose seq is an integer; any other
// row, and any row whose hash does not match, is read whole and checked by canonicalEvent, which
// stays the only judge of a bad event.
const CHAIN_TEXT_COLUMNS = ['at', 'actor_type', 'actor_id', 'actor_label', 'action', 'target', 'outcome', 'ip', 'correlation_id', 'details', 'prev_hash'];
const SQLITE_CANONICAL =
  `case when typeof(seq) = 'integer' and ${CHAIN_TEXT_COLUMNS.map((c) => `typeof(${c}) in ('text', 'null')`).join(' and ')}` +
  ` then json_array(seq, ${CHAIN_TEXT_COLUMNS.join(', ')}) end as canonical`;

type ChainPageRow = { seq: number | string; prev_hash: string; hash: string; canonical?: string | null } & Partial<AuditRow>;

/** The chain's head as it is now, read without taking its lock. */
export async function readAuditHead(db: Db): Promise<ChainPoint> {
  const head = await db('audit_head').where({ id: 1 }).first('seq', 'hash');
  return { seq: Number(head.seq), hash: head.hash };
}

export interface ChainVerifyOptions {
  /** Hashes the chain must have at given events (signed checkpoints). */
  anchors?: readonly ChainAnchor[];
  /** Check only the events after this trusted point. */
  from?: ChainPoint;
  /** Check only up to this point (a head read earlier), and end there instead of at the head. */
  upTo?: ChainPoint;
  pageSize?: number;
}

/**
 * Reads the whole log in pages and checks every link; reports the first bad sequence number.
 * The next page is asked for before this one is hashed, so the database reads while Node hashes.
 */
export async function verifyAuditChain(db: Db, options: ChainVerifyOptions = {}): Promise<ChainCheck> {
  const { anchors, from, upTo, pageSize = 10_000 } = options;
  const verifier = new ChainVerifier(anchors, from);
  const fast = isSqlite(db);
  const page = (after: number): Promise<ChainPageRow[]> => {
    const q = db('audit_events').where('seq', '>', after).orderBy('seq', 'asc').limit(pageSize);
    if (upTo) q.where('seq', '<=', upTo.seq);
    return (fast ? q.select('seq', 'prev_hash', 'hash', db.raw(SQLITE_CANONICAL)) : q.select('*')).then((rows) => rows as ChainPageRow[]);
  };
  let next: Promise<ChainPageRow[]> | null = page(from?.seq ?? 0);
  while (next) {
    const rows: ChainPageRow[] = await next;
    // A full page may have more after it: ask now, check this one meanwhile.
    next = rows.length === pageSize ? page(Number(rows[rows.length - 1].seq)) : null;
    for (const r of rows) {
      let bad = fast && typeof r.canonical === 'string' ? verifier.checkCanonical(r, r.canonical) : fast ? 'recheck' : verifier.check(r as AuditRow);
      if (bad === 'recheck') {
        // Not checked yet, or the database's text did not match: the whole row decides.
        const whole = await db<AuditRow>('audit_events').where('seq', r.seq).first();
        bad = whole ? verifier.check(whole) : { ok: false, badSeq: Number(r.seq), reason: 'event disappeared while the log was being verified' };
      }
      if (bad) {
        await next?.catch(() => undefined);
        return bad;
      }
    }
  }
  return verifier.finish(upTo ?? (await db('audit_head').where({ id: 1 }).first()));
}
