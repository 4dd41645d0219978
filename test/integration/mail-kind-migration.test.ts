// Messages queued before mail_messages had a kind must keep leaving as they did: the mail worker used
// to read from dedupe_key whether to mint a redeem link or a sign-in code, and for which row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDb, migrateLatest, migrationConfig } from '../../src/db/knex.ts';
import { migrations } from '../../migrations/index.ts';
import { freshDatabaseUrl } from '../harness/stack.ts';

test('mail queued before the kind column gets the kind and reference its dedupe_key meant', async () => {
  const database = await freshDatabaseUrl();
  const db = createDb(database.url);
  try {
    const config = migrationConfig();
    for (const [name] of migrations.slice(0, migrations.findIndex(([n]) => n === '20261203010000_mail_kind.ts'))) {
      await db.migrate.up({ ...config, name });
    }
    const meant: Record<string, [kind: string, reference: number | null]> = {
      'invitation:12': ['invitation', 12],
      'invitation:13:resend:1733200000000': ['invitation', 13],
      'code:7': ['code', 7],
      'request:4:route:2': ['notice', null],
      'request:4:denied': ['notice', null],
      'request:9:granted': ['notice', null],
      'batch:direct:5:1733200000000:added': ['notice', null],
      'reset:3:guest': ['notice', null],
      'reset:3:sponsor:2': ['notice', null],
      // Keys the worker's patterns did not match were sent as they were.
      'invitation:abc': ['notice', null],
      'invitations:5': ['notice', null],
      'code:8:x': ['notice', null],
    };
    const created_at = new Date().toISOString();
    for (const key of Object.keys(meant)) {
      await db('mail_messages').insert({ dedupe_key: key, to_address: 'paula@acme.test', subject: 'Subject', text_body: 'Body', html_body: '', status: 'queued', created_at });
    }
    await migrateLatest(db);
    const rows = await db('mail_messages').select('dedupe_key', 'kind', 'reference');
    assert.deepEqual(
      Object.fromEntries(rows.map((r) => [r.dedupe_key, [r.kind, r.reference === null ? null : Number(r.reference)]])),
      meant,
    );
  } finally {
    await db.destroy();
    await database.drop();
  }
});
