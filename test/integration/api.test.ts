// The Graph-shaped API over real HTTP: tokens and scopes, invitations redeemable like any other,
// users, groups, members, access requests, audit events, Graph error bodies, and an OpenAPI
// document that matches the routes the server really has.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser, redeemLink } from '../harness/browser.ts';
import { catalogIds, submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { buildApiClient, systemContext } from '../harness/factories.ts';
import { revokeApiClient } from '../../src/commands/apiClients.ts';
import { ALL_SCOPES, type Scope } from '../../src/domain/scopes.ts';
import { listRoutes } from '../harness/routes.ts';
import { countRows, lastAuditEvent } from '../harness/stored.ts';
import { ENDPOINTS, expressPath } from '../../src/api/router.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

async function passerelle(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/passerelle.js', ...args], { env: { ...process.env, DATABASE_URL: stack.config.databaseUrl } });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

let stack: Stack;

async function token(scopes: Scope[], name = `client ${scopes.join(' ')}`): Promise<string> {
  return (await buildApiClient(stack, { name, scopes })).token;
}

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const api = () => supertest(stack.appUrl);

function graphError(res: supertest.Response, status: number, code: string): string {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.innerError['request-id']);
  assert.ok(res.body.error.innerError.date);
  return res.body.error.message as string;
}

describe('tokens and scopes', () => {
  test('no token, a malformed, an unknown and a revoked token all answer 401 the same way, audited', async () => {
    const t = await token(['User.Read.All']);
    const client = await stack.db('api_clients').orderBy('id', 'desc').first();
    await revokeApiClient(stack, systemContext(), client.id);
    const before = await stack.db('audit_events').where({ action: 'api.authenticate', outcome: 'denied' }).count({ n: '*' });
    const answers = [];
    for (const header of [undefined, 'Bearer nonsense', `Bearer psr_${'A'.repeat(43)}`, `Bearer ${t}`]) {
      const req = api().get('/v1.0/users');
      const res = await (header ? req.set('Authorization', header) : req);
      graphError(res, 401, 'InvalidAuthenticationToken');
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      answers.push(res.body.error.message);
    }
    assert.equal(new Set(answers.slice(1)).size, 1, 'bad tokens are not told apart');
    const afterCount = await stack.db('audit_events').where({ action: 'api.authenticate', outcome: 'denied' }).count({ n: '*' });
    assert.equal(Number(afterCount[0].n) - Number(before[0].n), 4);
  });

  test('a token without the scope gets 403 naming the scope, audited with the client as actor', async () => {
    const t = await token(['AuditLog.Read.All'], 'audit reader');
    const res = await api().get('/v1.0/users').set('Authorization', `Bearer ${t}`);
    assert.match(graphError(res, 403, 'Authorization_RequestDenied'), /User\.Read\.All/);
    const ev = await lastAuditEvent(stack, { action: 'api.authorize' });
    assert.equal(ev.outcome, 'denied');
    assert.equal(ev.actor_type, 'api');
    assert.equal(ev.actor_label, 'audit reader');
  });

  test('only the hash of a token is stored', async () => {
    const t = await token(['User.Read.All']);
    const rows = await stack.db('api_clients').select('*');
    assert.ok(!JSON.stringify(rows).includes(t.slice(4)));
  });
});

describe('API clients', () => {
  test('an admin creates one in the admin pages, sees the token once, its last use, and revokes it', async () => {
    const admin = new Browser();
    await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    const page = await admin.go(`${stack.appUrl}/admin/api-clients`);
    assert.equal(page.status, 200);
    const empty = await admin.submit(page, '/admin/api-clients', { name: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Choose at least one scope/);
    const created = await admin.submit(page, '/admin/api-clients', { name: 'HR onboarding', scopes: ['User.Invite.All', 'User.Read.All'] });
    assert.equal(created.status, 201);
    const shown = /value="(psr_[A-Za-z0-9_-]{43})"/.exec(created.text)?.[1];
    assert.ok(shown, 'the token is on the page');
    assert.match(created.text, /cannot be shown again/);
    const list = await admin.go(`${stack.appUrl}/admin/api-clients`);
    assert.ok(!list.text.includes(shown), 'the list never shows the token');
    assert.match(list.text, new RegExp(`${shown.slice(0, 10)}…`));
    assert.match(list.text, /HR onboarding[\s\S]*Never/);
    assert.equal((await api().get('/v1.0/users').set('Authorization', `Bearer ${shown}`)).status, 200);
    const used = await admin.go(`${stack.appUrl}/admin/api-clients`);
    assert.doesNotMatch(used.text, /HR onboarding[\s\S]{0,600}<td>Never<\/td>/);
    const id = (await stack.db('api_clients').where({ name: 'HR onboarding' }).first()).id;
    const revoked = await admin.submit(used, `/admin/api-clients/${id}/revoke`, {});
    assert.equal(revoked.status, 200);
    assert.match(revoked.text, /revoked/);
    assert.equal((await api().get('/v1.0/users').set('Authorization', `Bearer ${shown}`)).status, 401);
    const events = await stack.db('audit_events').where({ target: `api_client:${id}` }).orderBy('seq').select('action', 'details');
    assert.deepEqual(events.map((e) => e.action), ['api_client.created', 'api_client.revoked']);
    assert.ok(!JSON.stringify(events).includes(shown.slice(10)), 'the token is not in the audit log');
  });

  test('`passerelle api-client create` prints the token as its last line; bad scopes are named', async () => {
    const ok = await passerelle('api-client', 'create', '--name', 'nightly sync', '--scopes', 'User.Read.All,AuditLog.Read.All');
    assert.equal(ok.code, 0, ok.err);
    const last = ok.out.trim().split('\n').pop()!;
    assert.match(last, /^psr_[A-Za-z0-9_-]{43}$/);
    const res = await api().get('/v1.0/auditLogs/directoryAudits?$top=1').set('Authorization', `Bearer ${last}`);
    assert.equal(res.status, 200);
    const bad = await passerelle('api-client', 'create', '--name', 'x', '--scopes', 'Directory.ReadWrite.All');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /scopes: Unknown scope/);
    const listed = await passerelle('api-client', 'list');
    assert.match(listed.out, /nightly sync/);
    assert.ok(!listed.out.includes(last));
  });
});

describe('invitations', () => {
  test('POST /v1.0/invitations invites a guest who redeems in the browser like an approved partner', async () => {
    const t = await token(['User.Invite.All']);
    const res = await api()
      .post('/v1.0/invitations')
      .set('Authorization', `Bearer ${t}`)
      .send({
        invitedUserEmailAddress: 'gary@globex.test',
        inviteRedirectUrl: `${stack.config.publicUrl}/access`,
        invitedUserDisplayName: 'Gary from Globex',
        sendInvitationMessage: true,
        invitedUserMessageInfo: { customizedMessageBody: 'Welcome aboard', ccRecipients: [{ emailAddress: { address: 'cc@globex.test', name: 'CC' } }] },
      });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'PendingAcceptance');
    assert.equal(res.body.invitedUserEmailAddress, 'gary@globex.test');
    assert.equal(res.body.invitedUserType, 'Guest');
    assert.match(res.body.inviteRedeemUrl, /\/redeem\/[A-Za-z0-9_-]{43}$/);
    assert.ok(res.body.invitedUser.id);
    assert.match(res.body['@odata.context'], /\$metadata#invitations/);

    const mail = await stack.mail.waitFor((m) => m.to.includes('gary@globex.test'));
    assert.match(mail.text, /Welcome aboard/);
    const browser = new Browser();
    const link = redeemLink(mail.text);
    // Both the mailed link and the returned inviteRedeemUrl lead to the same invitation.
    for (const url of [res.body.inviteRedeemUrl, link]) {
      const landing = await browser.go(url);
      assert.equal(landing.status, 200, landing.text.slice(0, 300));
    }

    const again = await api()
      .post('/v1.0/invitations')
      .set('Authorization', `Bearer ${t}`)
      .send({ invitedUserEmailAddress: 'GARY@globex.test', inviteRedirectUrl: `${stack.config.publicUrl}/access` });
    assert.equal(again.status, 201);
    assert.equal(again.body.invitedUser.id, res.body.invitedUser.id, 'the same user');
  });

  test('bad bodies are 400 naming the field; nothing is stored', async () => {
    const t = await token(['User.Invite.All']);
    const count = () => countRows(stack, 'invitations');
    const n = await count();
    const cases: [unknown, RegExp][] = [
      [{ inviteRedirectUrl: `${stack.config.publicUrl}/access` }, /invitedUserEmailAddress/],
      [{ invitedUserEmailAddress: 'not-an-address', inviteRedirectUrl: `${stack.config.publicUrl}/access` }, /invitedUserEmailAddress: must be an e-mail address/],
      [{ invitedUserEmailAddress: 'x@acme.test' }, /inviteRedirectUrl/],
      [{ invitedUserEmailAddress: 'x@acme.test', inviteRedirectUrl: 'https://evil.example/' }, /inviteRedirectUrl/],
      [{ invitedUserEmailAddress: 'x@acme.test', inviteRedirectUrl: `${stack.config.publicUrl}/`, invitedUserType: 'Member' }, /invitedUserType/],
      [{ invitedUserEmailAddress: 'x@acme.test', inviteRedirectUrl: `${stack.config.publicUrl}/`, status: 'Completed' }, /status/],
      [{ invitedUserEmailAddress: ['x@acme.test'], inviteRedirectUrl: `${stack.config.publicUrl}/` }, /invitedUserEmailAddress/],
    ];
    for (const [body, message] of cases) {
      const res = await api().post('/v1.0/invitations').set('Authorization', `Bearer ${t}`).send(body as object);
      assert.match(graphError(res, 400, 'Request_BadRequest'), message);
    }
    const broken = await api().post('/v1.0/invitations').set('Authorization', `Bearer ${t}`).type('json').send('{"invitedUserEmailAddress":');
    assert.match(graphError(broken, 400, 'Request_BadRequest'), /JSON/);
    assert.equal(await count(), n);
  });
});

describe('the user list', () => {
  test('a page of $top=N holds N users while more follow: removed guests are left out before paging, not after', async () => {
    const inviter = await token(['User.Invite.All'], 'paging inviter');
    const reader = await token(['User.Read.All'], 'paging reader');
    const ids: number[] = [];
    for (const name of ['gone1', 'gone2', 'gone3', 'kept1', 'kept2', 'kept3']) {
      const res = await api()
        .post('/v1.0/invitations')
        .set('Authorization', `Bearer ${inviter}`)
        .send({ invitedUserEmailAddress: `${name}@paging.example`, inviteRedirectUrl: `${stack.config.publicUrl}/access`, sendInvitationMessage: false });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(Number(res.body.invitedUser.id));
    }
    const [gone, kept] = [ids.slice(0, 3), ids.slice(3)];
    const admin = new Browser();
    await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
    for (const id of gone) {
      const done = await admin.submit(await admin.go(`${stack.appUrl}/admin/guests/${id}`), `/admin/guests/${id}/remove`, {});
      assert.match(done.text, /guest is removed/);
    }

    // From just before the first of them, two at a time, to the end of the directory.
    const pages: number[][] = [];
    let next: string | undefined = `/v1.0/users?$top=2&$skiptoken=${ids[0] - 1}`;
    while (next) {
      const res: supertest.Response = await api().get(next).set('Authorization', `Bearer ${reader}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      pages.push((res.body.value as { id: string }[]).map((u) => Number(u.id)));
      const link = res.body['@odata.nextLink'] as string | undefined;
      next = link && `${new URL(link).pathname}${new URL(link).search}`;
      assert.ok(pages.length < 50, 'the pages end');
    }
    assert.deepEqual(pages[0], kept.slice(0, 2), 'the first page holds the first two users that are not removed');
    for (const [i, page] of pages.slice(0, -1).entries()) assert.equal(page.length, 2, `page ${i + 1} of ${pages.length} is full: ${JSON.stringify(pages)}`);
    const listed = pages.flat();
    for (const id of gone) assert.ok(!listed.includes(id), `removed user ${id} is not listed`);
    const present = await stack.db('users').where('id', '>=', ids[0]).whereNot({ state: 'removed' }).orderBy('id').select('id');
    assert.deepEqual(listed, present.map((u) => Number(u.id)), 'every user that is not removed, once, in order');
  });
});

describe('hostile input reaching e-mail', () => {
  test('CR/LF and HTML in the display name, the message and CC names stay inside the mail body, escaped', async () => {
    const t = await token(['User.Invite.All']);
    const res = await api()
      .post('/v1.0/invitations')
      .set('Authorization', `Bearer ${t}`)
      .send({
        invitedUserEmailAddress: 'crlf@newco.test',
        inviteRedirectUrl: `${stack.config.publicUrl}/access`,
        invitedUserDisplayName: 'Eve\r\nBcc: victim@evil.example',
        sendInvitationMessage: true,
        invitedUserMessageInfo: {
          customizedMessageBody: '<script>alert(1)</script>\r\nBcc: victim@evil.example\r\n\r\n<a href="https://evil.example">click</a>',
          ccRecipients: [{ emailAddress: { address: 'cc2@newco.test', name: 'Bob\r\nBcc: victim@evil.example' } }],
        },
      });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const mail = await stack.mail.waitFor((m) => m.to.includes('crlf@newco.test'));
    assert.ok(!('bcc' in mail.headers), 'no injected Bcc header');
    assert.ok(!JSON.stringify(mail.headers).includes('evil.example'));
    assert.deepEqual(mail.cc, ['cc2@newco.test']);
    assert.ok(mail.html && !mail.html.includes('<script>') && mail.html.includes("&#60;script&#62;"), 'HTML is escaped');
    assert.ok(!mail.html!.includes('href="https://evil.example"'));
  });
});

describe('API tokens in a database dump', () => {
  test('no value stored anywhere works as a bearer token', async () => {
    const good = await token(['User.Read.All']);
    assert.equal((await api().get('/v1.0/users').set('Authorization', `Bearer ${good}`)).status, 200);
    const strings = new Set<string>();
    for (const table of ['api_clients', 'audit_events', 'invitations', 'sessions']) {
      for (const row of await stack.db(table).select('*')) {
        for (const v of Object.values(row)) {
          if (typeof v !== 'string') continue;
          strings.add(v);
          for (const m of v.match(/[A-Za-z0-9_-]{16,}/g) ?? []) {
            strings.add(m);
            strings.add(`psr_${m}`);
          }
        }
      }
    }
    assert.ok(strings.size > 20);
    for (const s of strings) {
      if (/[\r\n]/.test(s) || s.length > 4000) continue;
      const res = await api().get('/v1.0/users').set('Authorization', `Bearer ${s}`);
      assert.equal(res.status, 401, `the stored value ${s.slice(0, 20)}… was accepted`);
    }
  });
});

describe('the API reference page', () => {
  test('lists every operation with its scopes, readable without signing in', async () => {
    const res = await api().get('/docs/api');
    assert.equal(res.status, 200);
    for (const e of ENDPOINTS) {
      assert.ok(res.text.includes(`id="${e.operationId}"`), `${e.operationId} is on the page`);
      assert.ok(res.text.includes(`<code>/v1.0${e.path}</code>`), `${e.path} is on the page`);
      for (const scope of e.scopes) assert.ok(res.text.includes(`<code>${scope}</code>`));
    }
    // Only our own static files: no inline script (the header's time-zone hint is /static/tz.js).
    assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc="\/static\/)/);
  });
});

describe('the OpenAPI document', () => {
  test('describes every route the server has under /v1.0', async () => {
    const res = await api().get('/v1.0/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(res.body.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${expressPath(path).replace('/v1.0', '')}`);
    }
    const served = listRoutes(stack.web.app).filter((r) => r.startsWith('GET /v1.0/') || / \/v1\.0\//.test(r)).filter((r) => r !== 'GET /v1.0/openapi.json');
    assert.ok(served.length >= ENDPOINTS.length);
    for (const r of served) assert.ok(documented.has(r.replace(' /v1.0', ' ')), `${r} is not documented`);
  });
});
