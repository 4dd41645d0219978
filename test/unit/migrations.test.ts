import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/paths.ts';
import { migrations } from '../../migrations/index.ts';

// knex runs what migrations/index.ts lists (the bundle has no folder to read): a migration file left
// out of the list would never run, and a renamed one would run twice on existing databases.
test('migrations/index.ts lists every migration file, in order, under its file name', () => {
  const files = fs.readdirSync(path.join(projectRoot, 'migrations')).filter((f) => /^\d{14}_.+\.ts$/.test(f)).sort();
  assert.deepEqual(migrations.map(([name]) => name), files);
  for (const [name, m] of migrations) assert.equal(typeof m.up, 'function', `${name} has up()`);
});

test('undoing this release’s migrations on SQLite keeps every row that references the tables they change', async () => {
  const { createDb, migrateLatest, migrationConfig } = await import('../../src/db/knex.ts');
  const os = await import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-down-'));
  const db = createDb(`sqlite:${path.join(dir, 'down.sqlite')}`);
  try {
    await migrateLatest(db);
    const [user] = await db('users').insert({ display_name: 'Paula', email: 'paula@acme.test', user_type: 'guest', state: 'active', created_at: '2026-12-01T00:00:00Z' }).returning('id');
    const userId = typeof user === 'object' ? user.id : user;
    await db('user_identities').insert({ user_id: userId, issuer: 'https://idp.acme.test', subject: 'acme-paula', created_at: '2026-12-01T00:00:00Z' });
    const config = migrationConfig();
    while (((await db.migrate.currentVersion(config)) as string) >= '20261205000000') await db.migrate.down(config);
    assert.equal(Number((await db('user_identities').count({ n: '*' }).first())?.n), 1, 'the identity is still there');
    await migrateLatest(db);
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
