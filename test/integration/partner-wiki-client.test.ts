// `npm start` registers its sample app, Partner Wiki, as an admin would, and keeps the client secret
// (shown only once) in a 0600 file so that restarts reuse it; when the file is lost or stale, the
// secret is rotated. Whether a secret works is asked of Passerelle's token endpoints, as an app would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { startStack, type Stack } from '../harness/stack.ts';
import { itemsNamed } from '../harness/world.ts';
import { auditEvents } from '../harness/stored.ts';
import { registerPartnerWiki } from '../../src/demo/partnerWikiClient.ts';
import { findAppClientByItem } from '../../src/db/appClients.ts';
import { APP_CLAIMS } from '../../src/domain/model.ts';

let stack: Stack;
let dir = '';
let file = '';
const wikiUrl = 'http://127.0.0.1:4300';

before(async () => {
  stack = await startStack();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-wiki-client-'));
  file = path.join(dir, 'partner-wiki-client.json');
});
after(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const register = (url = wikiUrl) => registerPartnerWiki({ config: stack.config, db: stack.db }, url, file);

/** Whether Passerelle takes this client id and secret (the revocation endpoint authenticates the client). */
async function secretWorks(clientId: string, secret: string): Promise<boolean> {
  const config = await oidc.discovery(new URL(`${stack.appUrl}/oidc`), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
  try {
    await oidc.tokenRevocation(config, 'not-a-token-of-this-client');
    return true;
  } catch (err) {
    // A client that fails to authenticate is answered 401 with a challenge (or invalid_client in the body).
    if (err instanceof oidc.WWWAuthenticateChallengeError && err.status === 401) return false;
    if (err instanceof oidc.ResponseBodyError && err.error === 'invalid_client') return false;
    throw err;
  }
}

describe("the demo's Partner Wiki client", () => {
  let first: { clientId: string; secret: string | null };

  test('is registered once with the wiki’s URIs, every claim, every group, assignment required; the secret kept in a 0600 file', async () => {
    const [wiki] = await itemsNamed(stack, ['Partner Wiki']);
    const result = await register();
    assert.ok(result);
    assert.equal(result.outcome, 'registered');
    assert.deepEqual(result.warnings, []);
    first = { clientId: result.clientId, secret: result.secret };
    assert.ok(result.secret);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { clientId: result.clientId, secret: result.secret });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const client = await findAppClientByItem(stack.db, wiki!.id);
    assert.equal(client?.client_id, result.clientId);
    assert.deepEqual(client.redirect_uris, [`${wikiUrl}/callback`]);
    assert.deepEqual(client.post_logout_redirect_uris, [`${wikiUrl}/`]);
    assert.equal(client.backchannel_logout_uri, `${wikiUrl}/backchannel-logout`);
    assert.equal(client.initiate_login_uri, `${wikiUrl}/login`);
    assert.deepEqual(client.claims, [...APP_CLAIMS]);
    const groups = await itemsNamed(stack, ['Project Atlas', 'Quality Reviews']);
    assert.deepEqual([...client.visible_group_ids].sort(), groups.map((g) => g.id).sort());
    assert.equal(client.assignment_required, true);
    assert.equal(client.allow_members, false);
    assert.equal((await auditEvents(stack, { action: 'app_client.created', target: `item:${wiki!.id}` })).length, 1);
    assert.equal(await secretWorks(result.clientId, result.secret), true);
  });

  test('a restart reuses the client and its secret', async () => {
    const again = await register();
    assert.deepEqual(again && { clientId: again.clientId, secret: again.secret, outcome: again.outcome }, { ...first, outcome: 'kept' });
    assert.equal((await auditEvents(stack, { action: 'app_client.secret_rotated' })).length, 0);
  });

  test('with the file lost, the secret is rotated and kept anew; the old one stops working', async () => {
    fs.rmSync(file);
    const rotated = await register();
    assert.ok(rotated?.secret);
    assert.equal(rotated.outcome, 'rotated');
    assert.equal(rotated.clientId, first.clientId);
    assert.notEqual(rotated.secret, first.secret);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { clientId: rotated.clientId, secret: rotated.secret });
    assert.equal(await secretWorks(rotated.clientId, rotated.secret), true);
    assert.equal(await secretWorks(first.clientId, first.secret!), false);
    first = { clientId: rotated.clientId, secret: rotated.secret };
  });

  test('a kept secret that no longer works (rotated in the console) is rotated again', async () => {
    fs.writeFileSync(file, JSON.stringify({ clientId: first.clientId, secret: 'rotated-elsewhere' }));
    const result = await register();
    assert.equal(result?.outcome, 'rotated');
    assert.equal(await secretWorks(result.clientId, result.secret!), true);
    assert.equal((await auditEvents(stack, { action: 'app_client.secret_rotated' })).length, 2);
  });

  test('settings an admin changed are left alone, and a wiki at another address is warned it cannot sign in', async () => {
    const result = await register('http://127.0.0.1:4399');
    assert.equal(result?.outcome, 'kept');
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /http:\/\/127\.0\.0\.1:4399\/callback/);
    const [wiki] = await itemsNamed(stack, ['Partner Wiki']);
    assert.deepEqual((await findAppClientByItem(stack.db, wiki!.id))?.redirect_uris, [`${wikiUrl}/callback`]);
  });
});
