import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { routeMail } from '../../src/mail/templates.ts';
import { renderMail } from '../../src/mail/render.ts';
import { DEFAULT_BRANDING } from '../../src/db/branding.ts';
import type { AccessRequest, CatalogItem } from '../../src/db/rows.ts';

test('a name with CR/LF and HTML cannot add a mail header or markup', () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const request = {
    id: 9, requester_name: 'Eve\r\nBcc: all@evil.example', requester_email: 'eve@acme.test', justification: '<b>bold</b>',
    organization_name: null,
  } as unknown as AccessRequest & { organization_name: string | null };
  const items = [{ id: 1, name: 'Wiki <script>', kind: 'app' }] as CatalogItem[];
  const mail = renderMail(routeMail(config, request, items, { id: 2, email: 'sam@ours.test' }), 'en', DEFAULT_BRANDING, null);
  assert.doesNotMatch(mail.subject, /[\r\n]/);
  assert.match(mail.subject, /Eve Bcc: all@evil.example/);
  assert.doesNotMatch(mail.html, /<b>bold<\/b>|<script>/);
  assert.match(mail.html, /&#60;b&#62;bold/);
});
