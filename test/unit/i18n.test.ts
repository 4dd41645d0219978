import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { catalogs, LOCALES, t } from '../../src/i18n/t.ts';
import { fromAcceptLanguage } from '../../src/i18n/locales.ts';
import { formatters } from '../../src/i18n/format.ts';

const hasMessage = (key: string) => LOCALES.every((l) => key in catalogs[l]);

/** The argument names a message uses, its plural and select branches included. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const e of elements) {
    if ('value' in e && typeof e.value === 'string' && e.type !== TYPE.literal) into.add(e.value);
    if ('options' in e) for (const option of Object.values(e.options)) argumentsOf(option.value, into);
  }
  return into;
}

function files(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), ext) : ext.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

test('every message key named in the views and the code is in the English and the French catalogs', () => {
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

test('English and French have the same keys, each message parses as ICU and uses the same arguments', () => {
  const problems: string[] = [];
  const keys = new Set([...Object.keys(catalogs.en), ...Object.keys(catalogs.fr)]);
  for (const key of keys) {
    const args: Record<string, string> = {};
    for (const locale of LOCALES) {
      const message = catalogs[locale][key];
      if (message === undefined) {
        problems.push(`${locale} lacks ${key}`);
        continue;
      }
      try {
        args[locale] = [...argumentsOf(parse(message, { ignoreTag: true }))].sort().join(',');
      } catch (err) {
        problems.push(`${locale} ${key} does not parse: ${(err as Error).message}`);
      }
    }
    if (args.en !== undefined && args.fr !== undefined && args.en !== args.fr) problems.push(`${key}: en uses {${args.en}}, fr uses {${args.fr}}`);
  }
  assert.deepEqual(problems, []);
});

test('French is French: no message left in English word for word beyond names and short labels', () => {
  // Identical long messages are almost always a forgotten translation.
  const same = Object.keys(catalogs.en).filter((k) => catalogs.fr[k] === catalogs.en[k] && /\s\w+\s\w+\s\w+/.test(catalogs.en[k]!));
  assert.deepEqual(same, []);
});

test('plurals and numbers follow each language', () => {
  assert.equal(t('requests.detailTitle', { id: 7 }, 'fr'), catalogs.fr['requests.detailTitle']!.replace('{id}', '7'));
  assert.equal(formatters('fr').number(1234.5), '1\u202f234,5');
  assert.equal(formatters('en').number(1234.5), '1,234.5');
  assert.equal(formatters('fr', 'Europe/Paris').dateTime('2026-12-04T10:00:00Z'), '4 déc. 2026, 11:00 UTC+1');
  assert.equal(formatters('en').dateTime('2026-12-04T10:00:00Z'), '4 Dec 2026, 10:00 UTC');
  // A calendar day stays that day in every zone.
  assert.equal(formatters('en', 'America/Los_Angeles').date('2026-12-31'), '31 Dec 2026');
  assert.equal(formatters('fr', 'Asia/Tokyo').date('2027-06-02T23:59:59.999Z'), '2 juin 2027');
});

test('Accept-Language picks the first language we speak by weight', () => {
  assert.equal(fromAcceptLanguage('fr-CA,fr;q=0.9,en;q=0.8'), 'fr');
  assert.equal(fromAcceptLanguage('de-DE,de;q=0.9,en;q=0.5,fr;q=0.7'), 'fr');
  assert.equal(fromAcceptLanguage('de'), null);
  assert.equal(fromAcceptLanguage('en;q=0, fr'), 'fr');
  assert.equal(fromAcceptLanguage(undefined), null);
});

test('no key is written in two files of one language (the later file would silently win)', async () => {
  const twice: string[] = [];
  for (const locale of LOCALES) {
    const seen = new Map<string, string>();
    const dir = path.join('src/i18n', locale);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
      const part = Object.values(await import(`../../${dir}/${file}`))[0] as Record<string, string>;
      for (const key of Object.keys(part)) {
        if (seen.has(key)) twice.push(`${locale}: ${key} in ${seen.get(key)} and ${file}`);
        seen.set(key, file);
      }
    }
  }
  assert.deepEqual(twice, []);
});

test('every audit action written on a request (target request:N) has its history words: the request pages never show a raw key', () => {
  const actions = new Set<string>();
  for (const file of files('src', /\.ts$/)) {
    const text = fs.readFileSync(file, 'utf8');
    // appendAudit(trx, ctx, { action: …, target: `request:${…}` …}): the action expression, names in quotes.
    for (const m of text.matchAll(/action:\s*([^\n]*?),\s*target:\s*`request:/g)) for (const a of m[1].matchAll(/'(request\.[a-z_]+)'/g)) actions.add(a[1]);
  }
  assert.ok(actions.has('request.rerouted') && actions.has('request.submitted') && actions.has('request.denied'), [...actions].join(', '));
  assert.deepEqual([...actions].filter((a) => !hasMessage(`history.${a}`)), []);
});
