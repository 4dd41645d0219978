// The data generator: many requests routed to one sponsor, many guests, a long chained audit log.
// Rows go in with explicit ids in batches, so a hundred thousand take seconds, not minutes.
import type { Db } from '../../src/db/knex.ts';
import { eventHash, GENESIS_HASH } from '../../src/domain/auditChain.ts';

const BATCH = 500;

async function nextId(db: Db, table: string): Promise<number> {
  const row = await db(table).max({ m: 'id' }).first();
  return Number(row?.m ?? 0) + 1;
}

/** PostgreSQL's sequences do not see explicit ids: move them past what was inserted. */
async function syncSequence(db: Db, table: string): Promise<void> {
  if (db.client.config.client !== 'pg') return;
  await db.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
}

/**
 * After a bulk load PostgreSQL's statistics are stale until autovacuum gets to them: refresh them, as
 * a real database would have. SQLite keeps none unless someone runs ANALYZE, so it is left as it is.
 */
async function analyze(db: Db): Promise<void> {
  if (db.client.config.client === 'pg') await db.raw('analyze');
}

async function insertAll(db: Db, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await db(table).insert(rows.slice(i, i + BATCH));
}

export interface RequestSeed {
  count: number;
  /** Who the requests are routed to. */
  approverEmail: string;
  status: 'pending' | 'approved' | 'denied' | 'provisioned';
  itemNames: string[];
  /** Requester addresses are bench<n>@<domain>, one person per request. */
  domain?: string;
  /** One requester for all of them instead: this subject at Acme's IdP, with this e-mail. */
  requester?: { subject: string; email: string };
}

/** Requests from distinct Acme people, routed to one sponsor; returns their ids and requester e-mails. */
export async function seedRequests(db: Db, s: RequestSeed): Promise<{ id: number; email: string }[]> {
  const domain = s.domain ?? 'acme.test';
  const idp = await db('identity_providers').where({ slug: 'acme' }).first();
  const org = await db('organization_domains').where({ domain }).first();
  const approver = await db('users').where({ email: s.approverEmail }).first();
  if (!approver) throw new Error(`no user ${s.approverEmail}`);
  const items = await db('catalog_items').whereIn('name', s.itemNames).select('id');
  const first = await nextId(db, 'access_requests');
  const stamp = new Date().toISOString();
  const rows = Array.from({ length: s.count }, (_, i) => {
    const n = first + i;
    return {
      id: n,
      requester_issuer: idp.issuer,
      requester_subject: s.requester?.subject ?? `bench-${n}`,
      requester_email: s.requester?.email ?? `bench${n}@${domain}`,
      requester_name: `Bench Partner ${n}`,
      identity_provider_id: idp.id,
      organization_id: org?.organization_id ?? null,
      justification: `We need access for the shared project, request number ${n}.`,
      status: s.status,
      routed_at: stamp,
      created_at: stamp,
      updated_at: stamp,
    };
  });
  await insertAll(db, 'access_requests', rows);
  await insertAll(db, 'access_request_items', rows.flatMap((r) => items.map((it) => ({ request_id: r.id, item_id: it.id }))));
  await insertAll(db, 'access_request_approvers', rows.map((r) => ({ request_id: r.id, user_id: approver.id })));
  await syncSequence(db, 'access_requests');
  await analyze(db);
  return rows.map((r) => ({ id: r.id, email: r.requester_email }));
}

/** Guests with a membership each, as the admin's guest list and the API would find them. */
export async function seedGuests(db: Db, count: number, itemName = 'Partner Wiki'): Promise<void> {
  const item = await db('catalog_items').where({ name: itemName }).first();
  const first = await nextId(db, 'users');
  const stamp = new Date().toISOString();
  const users = Array.from({ length: count }, (_, i) => ({
    id: first + i,
    display_name: `Guest ${first + i}`,
    email: `guest${first + i}@globex.test`,
    user_type: 'guest',
    state: i % 3 === 0 ? 'invited' : 'active',
    created_at: stamp,
  }));
  await insertAll(db, 'users', users);
  await insertAll(db, 'memberships', users.map((u) => ({ user_id: u.id, item_id: item.id, source: 'direct', created_at: stamp })));
  await syncSequence(db, 'users');
  await syncSequence(db, 'memberships');
  await analyze(db);
}

/**
 * A valid hash chain of `count` events (spread over 500 actors), appended after what is there.
 * A million rows take a while, so: a transaction per 20,000 rows (one commit instead of forty), and
 * the next batch is built and hashed while the database writes the one before (SQLite writes on a
 * thread of its own, PostgreSQL in its own process).
 */
export async function seedAuditEvents(db: Db, count: number): Promise<void> {
  const head = await db('audit_head').where({ id: 1 }).first();
  let prev = (head?.hash as string) ?? GENESIS_HASH;
  let seq = Number(head?.seq ?? 0);
  const actions = ['request.submitted', 'request.routed', 'request.approved', 'mail.sent', 'auth.signed_in'];
  const start = Date.now() - count * 1000;
  const perTransaction = 40 * BATCH;
  let made = 0;
  const nextBatch = (): Record<string, unknown>[] => {
    const batch: Record<string, unknown>[] = [];
    for (let n = Math.min(BATCH, count - made); n > 0; n--, made++) {
      seq++;
      const e = {
        seq,
        at: new Date(start + made * 1000).toISOString(),
        actor_type: 'user',
        actor_id: `user:${seq % 500}`,
        actor_label: `person${seq % 500}@acme.test`,
        action: actions[seq % actions.length],
        target: `request:${Math.floor(seq / 5)}`,
        outcome: 'success',
        ip: '127.0.0.1',
        correlation_id: `c-${seq}`,
        details: '{}',
        prev_hash: prev,
        hash: '',
      };
      e.hash = eventHash(e);
      prev = e.hash;
      batch.push(e);
    }
    return batch;
  };
  for (let guard = 0; made < count && guard <= count; guard++) {
    await db.transaction(async (trx) => {
      const end = Math.min(count, made + perTransaction);
      let pending: Promise<unknown> | null = null;
      while (made < end) {
        const batch = nextBatch();
        if (pending) await pending;
        pending = trx('audit_events').insert(batch).then(() => undefined);
      }
      await pending;
      await trx('audit_head').where({ id: 1 }).update({ seq, hash: prev });
    });
  }
  await analyze(db);
}
