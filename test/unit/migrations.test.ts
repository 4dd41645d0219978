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
