import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hasMessage, t } from '../../src/i18n/t.ts';

function files(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), ext) : ext.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

test('every message key named in the views and the code is in the English catalog', () => {
  const missing: string[] = [];
  const sources = [...files('views', /\.ejs$/), ...files('src', /\.ts$/), ...files('workers', /\.ts$/)];
  for (const file of sources) {
    const text = fs.readFileSync(file, 'utf8');
    // t('key'), and message keys handed around as values ('errors.x', 'validation.y', ...); audit
    // actions and outbox topics ('auth.signed_in', 'mail.send') share some prefixes, so those are left out.
    const keys = [
      ...text.matchAll(/\bt\(\s*'([a-z][\w.]+)'/g),
      ...text.matchAll(/'((?:errors|validation|requests|inbox|redeem|otp|invite|guests|queues|owner)\.[a-zA-Z][a-zA-Z.]*)'/g),
    ].map((m) => m[1]);
    for (const key of keys) if (!hasMessage(key) && !key.endsWith('.')) missing.push(`${file}: ${key}`);
  }
  assert.deepEqual(missing, []);
});

test('placeholders are filled and unknown keys show themselves', () => {
  assert.equal(t('requests.detailTitle', { id: 7 }), 'Request #7');
  assert.equal(t('no.such.key'), 'no.such.key');
});
