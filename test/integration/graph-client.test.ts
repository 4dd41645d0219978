// Contract tests with Microsoft's own Graph client (@microsoft/microsoft-graph-client): what a
// script written for Microsoft Graph sees when only its base URL and token point at Passerelle.
//
// The client speaks https only: it attaches the token (even for `customHosts`) only to https URLs,
// and it strips the host only from https links, so an http @odata.nextLink would be glued onto the
// base URL. Production Passerelle is https-only as well. So the API is served here as in production:
// a second web process of the same stack whose PUBLIC_URL is https, behind TLS with a certificate
// made for this run, which the client trusts through its fetch options (no polyfill: Node's fetch).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { Client, GraphError, PageIterator, type FetchOptions, type PageCollection } from '@microsoft/microsoft-graph-client';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { submitAsPartner, waitUntilRouted } from '../harness/flows.ts';
import { listRoutes } from '../harness/routes.ts';
import { expireMemberships } from '../harness/rowEdits.ts';
import { buildApiClient, systemContext } from '../harness/factories.ts';
import { loadConfig } from '../../src/config.ts';
import { startWeb, type WebHandle } from '../../src/web/server.ts';
import { createLogger } from '../../src/log.ts';
import { freePort } from '../../src/demo/net.ts';
import { revokeApiClient } from '../../src/commands/apiClients.ts';
import type { Scope } from '../../src/domain/scopes.ts';
import { expressPath } from '../../src/api/router.ts';

let stack: Stack;
let web: WebHandle;
let tls: https.Server;
let dispatcher: Agent;
/** https://127.0.0.1:<port>, the PUBLIC_URL of the web process the Graph client talks to. */
let origin = '';

/** A throw-away certificate for 127.0.0.1, made by openssl for this run only. */
function certificateFor127(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'pipe' });
    return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

before(async () => {
  stack = await startStack();
  const { key, cert } = certificateFor127();
  const tlsPort = await freePort();
  origin = `https://127.0.0.1:${tlsPort}`;
  const config = loadConfig({ ...stack.env, PUBLIC_URL: origin, PORT: String(await freePort()) });
  web = await startWeb({ config, db: stack.db }, createLogger('silent', 'test-web-https'));
  // TLS ends in this process, in front of the same Express app, as a load balancer would end it.
  tls = https.createServer({ key, cert }, web.app);
  await new Promise<void>((resolve) => tls.listen(tlsPort, '127.0.0.1', resolve));
  dispatcher = new Agent({ connect: { ca: cert } });
});

after(async () => {
  if (tls) {
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
  }
  await dispatcher?.close();
  await web?.close();
  await stack?.stop();
});

async function token(scopes: Scope[], name: string): Promise<string> {
  return (await buildApiClient(stack, { name, scopes })).token;
}

/** A Graph client set up as Microsoft documents it for a national cloud or proxy: base URL, version, custom host. */
function graph(accessToken: string): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: async () => accessToken },
    baseUrl: `${origin}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(origin).hostname]),
    fetchOptions: { dispatcher } as unknown as FetchOptions,
  });
}

/** The call fails as Graph fails: the client's GraphError with the status, Graph's code and a request id. */
async function rejectsWith(call: Promise<unknown>, statusCode: number, code: string, message?: RegExp): Promise<GraphError> {
  let caught: unknown;
  await assert.rejects(call, (err) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof GraphError, `a GraphError, not ${String(caught)}`);
  assert.equal(caught.statusCode, statusCode, caught.message);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.requestId, 'innerError request-id reaches the client');
  assert.ok(!Number.isNaN(caught.date.getTime()), 'innerError date is a date');
  if (message) assert.match(caught.message, message);
  return caught;
}

/** When this run's API calls began; the seeded demo's events are older. */
let since = '';
let inviter: Client;
let reader: Client;
let groups: Client;
let noraId = '';
let atlasId = '';
const created: string[] = [];

describe('invitations and users through the Graph client', () => {
  before(async () => {
    since = new Date().toISOString();
    inviter = graph(await token(['User.Invite.All'], 'HR onboarding script'));
    reader = graph(await token(['User.Read.All'], 'directory reader'));
  });

  test('client.api("/invitations").post creates a guest and answers with Graph’s invitation', async () => {
    const body = {
      invitedUserEmailAddress: 'Nora@NewCo.example',
      invitedUserDisplayName: 'Nora New',
      inviteRedirectUrl: `${origin}/access`,
      sendInvitationMessage: false,
      invitedUserMessageInfo: { customizedMessageBody: 'Welcome to the Atlas programme.', messageLanguage: 'en-US' },
    };
    const inv = await inviter.api('/invitations').post(body);
    assert.equal(inv['@odata.context'], `${origin}/v1.0/$metadata#invitations/$entity`);
    assert.match(inv.id, /^\d+$/);
    assert.equal(inv.status, 'PendingAcceptance');
    assert.equal(inv.invitedUserType, 'Guest');
    assert.equal(inv.invitedUserEmailAddress, 'nora@newco.example', 'addresses are kept in lower case');
    assert.equal(inv.invitedUserDisplayName, 'Nora New');
    assert.equal(inv.inviteRedirectUrl, `${origin}/access`);
    assert.equal(inv.sendInvitationMessage, false);
    assert.equal(inv.resetRedemption, false);
    assert.match(inv.inviteRedeemUrl, new RegExp(`^${origin.replace(/\./g, '\\.')}/redeem/[A-Za-z0-9_-]{43}$`));
    assert.deepEqual(inv.invitedUserMessageInfo, { customizedMessageBody: 'Welcome to the Atlas programme.', messageLanguage: 'en-US', ccRecipients: [] });
    assert.match(inv.invitedUser.id, /^\d+$/);
    noraId = inv.invitedUser.id;

    const user = await reader.api(`/users/${noraId}`).get();
    assert.equal(user['@odata.context'], `${origin}/v1.0/$metadata#users/$entity`);
    assert.equal(user.id, noraId);
    assert.equal(user.userType, 'Guest');
    assert.equal(user.mail, 'nora@newco.example');
    assert.equal(user.displayName, 'Nora New');
    assert.equal(user.accountEnabled, true);
    assert.equal(user.externalUserState, 'PendingAcceptance');
  });

  test('PageIterator follows @odata.nextLink across pages of guests and sees each guest exactly once', async () => {
    for (let i = 1; i <= 7; i++) {
      const inv = await inviter.api('/invitations').post({ invitedUserEmailAddress: `guest${i}@newco.example`, inviteRedirectUrl: `${origin}/access` });
      created.push(inv.invitedUser.id);
    }
    // A member of our organization, which the filter must leave out.
    const member = await stack.db('users').where({ user_type: 'member' }).first();
    assert.ok(member, 'the demo has members');

    const first: PageCollection = await reader.api('/users').filter("userType eq 'Guest'").top(2).get();
    assert.equal(first.value.length, 2);
    const next = new URL(String(first['@odata.nextLink']));
    assert.equal(next.origin, origin, 'the next link is on the public https address');
    assert.equal(next.searchParams.get('$top'), '2');
    assert.equal(next.searchParams.get('$filter'), "userType eq 'Guest'");
    assert.match(next.searchParams.get('$skiptoken') ?? '', /^\d+$/);

    const seen: string[] = [];
    const iterator = new PageIterator(reader, first, (user) => {
      assert.equal(user.userType, 'Guest');
      seen.push(user.id);
      return true;
    });
    await iterator.iterate();
    assert.ok(iterator.isComplete(), 'the last page has no next link');
    assert.equal(new Set(seen).size, seen.length, `no guest twice: ${seen.join(',')}`);
    for (const id of [noraId, ...created]) assert.equal(seen.filter((s) => s === id).length, 1, `guest ${id} seen once`);
    assert.ok(!seen.includes(String(member.id)));
    const guests = await stack.db('users').where({ user_type: 'guest' }).whereNot({ state: 'removed' }).select('id');
    assert.deepEqual([...seen].sort(), guests.map((g) => String(g.id)).sort(), 'every guest, and only guests');
    assert.ok(seen.length >= 8, 'at least four pages of two');
  });

  test('$select returns only the named properties, on every page', async () => {
    const page = await reader.api('/users').filter("userType eq 'Guest'").select(['displayName', 'mail']).top(3).get();
    assert.equal(page.value.length, 3);
    for (const u of page.value) assert.deepEqual(Object.keys(u).sort(), ['displayName', 'mail']);
    const second = await reader.api(page['@odata.nextLink']).get();
    assert.ok(second.value.length > 0);
    for (const u of second.value) assert.deepEqual(Object.keys(u).sort(), ['displayName', 'mail'], 'the next link keeps $select');

    const one = await reader.api(`/users/${noraId}`).select('externalUserState').get();
    assert.deepEqual(one, { '@odata.context': `${origin}/v1.0/$metadata#users/$entity`, externalUserState: 'PendingAcceptance' });
    await rejectsWith(reader.api('/users').select('passwordProfile').get(), 400, 'Request_BadRequest', /\$select/);
  });
});

describe('group members through the Graph client', () => {
  before(async () => {
    groups = graph(await token(['GroupMember.ReadWrite.All'], 'group sync'));
  });

  test('members/$ref with @odata.id adds a guest; the member list shows them; a second add is refused', async () => {
    const list = await groups.api('/groups').get();
    const atlas = list.value.find((g: { displayName: string }) => g.displayName === 'Project Atlas');
    assert.ok(atlas, 'Project Atlas is a group');
    assert.equal(atlas.securityEnabled, true);
    atlasId = atlas.id;

    const ref = { '@odata.id': `${origin}/v1.0/directoryObjects/${noraId}` };
    assert.equal(await groups.api(`/groups/${atlasId}/members/$ref`).post(ref), undefined, '204: no body');
    const members = await groups.api(`/groups/${atlasId}/members`).get();
    const nora = members.value.find((m: { id: string }) => m.id === noraId);
    assert.ok(nora, 'Nora is listed');
    assert.equal(nora['@odata.type'], '#microsoft.graph.user');
    assert.equal(nora.mail, 'nora@newco.example');

    await rejectsWith(groups.api(`/groups/${atlasId}/members/$ref`).post(ref), 400, 'Request_BadRequest', /already exist/);
    await rejectsWith(
      groups.api(`/groups/${atlasId}/members/$ref`).post({ '@odata.id': `${origin}/v1.0/directoryObjects/999999` }),
      404,
      'Request_ResourceNotFound',
    );
  });

  test('a membership past its term makes no member; adding the guest again grants it afresh', async () => {
    await expireMemberships(stack, Number(noraId), Number(atlasId));
    const members = await groups.api(`/groups/${atlasId}/members`).get();
    assert.ok(!members.value.some((m: { id: string }) => m.id === noraId), 'Nora is not listed once her term passed');
    assert.equal(await groups.api(`/groups/${atlasId}/members/$ref`).post({ '@odata.id': `${origin}/v1.0/directoryObjects/${noraId}` }), undefined);
    const again = await groups.api(`/groups/${atlasId}/members`).get();
    assert.ok(again.value.some((m: { id: string }) => m.id === noraId), 'listed again');
  });

  test('DELETE members/{id}/$ref removes the guest; removing again is 404', async () => {
    assert.equal(await groups.api(`/groups/${atlasId}/members/${noraId}/$ref`).delete(), undefined);
    const members = await groups.api(`/groups/${atlasId}/members`).get();
    assert.ok(!members.value.some((m: { id: string }) => m.id === noraId), 'Nora is no longer listed');
    await rejectsWith(groups.api(`/groups/${atlasId}/members/${noraId}/$ref`).delete(), 404, 'Request_ResourceNotFound');
  });
});

describe('directory audits through the Graph client', () => {
  test('$filter=activityDateTime ge … and $top page the events of this run, newest first, with the API client as initiator', async () => {
    const audits = graph(await token(['AuditLog.Read.All'], 'SIEM export'));
    const first = await audits.api('/auditLogs/directoryAudits').filter(`activityDateTime ge ${since}`).top(5).get();
    assert.equal(first.value.length, 5);
    assert.ok(first['@odata.nextLink'], 'more than one page');
    const events: Record<string, any>[] = [];
    await new PageIterator(audits, first, (e) => {
      events.push(e);
      return true;
    }).iterate();
    for (const e of events) assert.ok(e.activityDateTime >= since, `${e.activityDisplayName} at ${e.activityDateTime} is not before ${since}`);
    const ids = events.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(ids).size, ids.length, 'no event twice across pages');

    const invited = events.find((e) => e.activityDisplayName === 'invitation.created' && e.additionalDetails.some((d: any) => d.key === 'email' && d.value === 'nora@newco.example'));
    assert.ok(invited, 'the invitation is audited');
    assert.equal(invited.operationType, 'Add');
    assert.equal(invited.result, 'success');
    assert.equal(invited.initiatedBy.app.displayName, 'HR onboarding script');
    assert.equal(invited.initiatedBy.user, null);
    assert.equal(invited.targetResources[0].type, 'invitation');

    for (const [action, operationType] of [['membership.granted', 'Add'], ['membership.removed', 'Delete']] as const) {
      const e = events.find((x) => x.activityDisplayName === action && x.targetResources[0]?.id === `user:${noraId}`);
      assert.ok(e, `${action} is audited`);
      assert.equal(e.operationType, operationType);
      assert.equal(e.initiatedBy.app.displayName, 'group sync');
      assert.ok(e.additionalDetails.some((d: any) => d.key === 'item' && d.value === 'Project Atlas'));
    }
    // The duplicate add and the refused calls changed nothing and are not membership events; the add
    // after her term passed is one.
    assert.equal(events.filter((x) => x.activityDisplayName === 'membership.granted' && x.targetResources[0]?.id === `user:${noraId}`).length, 2);

    const earlier = await audits.api('/auditLogs/directoryAudits').filter(`activityDateTime lt ${since}`).top(1000).get();
    assert.ok(!earlier.value.some((e: { id: string }) => ids.includes(Number(e.id))), 'lt is the complement of ge');
    const future = await audits.api('/auditLogs/directoryAudits').filter(`activityDateTime ge ${new Date(Date.now() + 3600_000).toISOString()}`).get();
    assert.deepEqual(future.value, []);
    assert.equal(future['@odata.nextLink'], undefined);
  });
});

describe('access requests through the Graph client', () => {
  test('a request submitted in the browser is listed as pending, approved once, then 409', async () => {
    const partner = new Browser();
    const { id } = await submitAsPartner(stack, partner, 'acme', 'paula@acme.test', ['Project Atlas'], 'Atlas gearbox reviews for Q3.');
    await waitUntilRouted(stack, id);
    const approver = graph(await token(['AccessRequest.ReadWrite.All'], 'ticketing bridge'));

    const pending = await approver.api('/accessRequests').filter("status eq 'pending'").get();
    const mine = pending.value.find((r: { id: string }) => r.id === String(id));
    assert.ok(mine, `request ${id} is pending`);
    assert.ok(pending.value.every((r: { status: string }) => r.status === 'pending'));
    assert.equal(mine.requester.email, 'paula@acme.test');
    assert.equal(mine.requester.issuer, stack.issuers.acme.issuer);
    assert.equal(mine.justification, 'Atlas gearbox reviews for Q3.');
    assert.deepEqual(mine.items.map((i: { displayName: string; kind: string }) => [i.displayName, i.kind]), [['Project Atlas', 'group']]);
    assert.equal(mine.decidedDateTime, null);

    const approved = await approver.api(`/accessRequests/${id}/approve`).post({ reason: 'Covered by the Atlas contract.' });
    assert.equal(approved.id, String(id));
    assert.ok(['approved', 'provisioned'].includes(approved.status), approved.status);
    assert.equal(approved.decisionReason, 'Covered by the Atlas contract.');
    assert.ok(approved.decidedDateTime);

    await rejectsWith(approver.api(`/accessRequests/${id}/approve`).post({}), 409, 'Request_Conflict');
    await rejectsWith(approver.api(`/accessRequests/${id}/deny`).post({ reason: 'Too late.' }), 409, 'Request_Conflict');
    const after = await approver.api('/accessRequests').filter("status eq 'pending'").get();
    assert.ok(!after.value.some((r: { id: string }) => r.id === String(id)), 'no longer pending');

    // The approval provisions the guest as a sponsor's would: the request ends provisioned with a guest.
    const done = await eventually('request provisioned', async () => {
      const r = await approver.api(`/accessRequests/${id}`).get();
      return r.status === 'provisioned' ? r : null;
    });
    const guest = await reader.api(`/users/${done.guestUserId}`).get();
    assert.equal(guest.mail, 'paula@acme.test');
    assert.equal(guest.userType, 'Guest');
    await stack.mail.waitFor((m) => m.to.includes('paula@acme.test') && /invited/i.test(m.subject));
  });
});

describe('Graph errors surface as the client’s GraphError', () => {
  test('400 Request_BadRequest for a bad e-mail address, naming the field', async () => {
    await rejectsWith(
      inviter.api('/invitations').post({ invitedUserEmailAddress: 'not-an-address', inviteRedirectUrl: `${origin}/access` }),
      400,
      'Request_BadRequest',
      /invitedUserEmailAddress: must be an e-mail address/,
    );
  });

  test('401 InvalidAuthenticationToken for a revoked token', async () => {
    const { id, token: t } = await buildApiClient(stack, { name: 'to be revoked', scopes: ['User.Read.All'] });
    const client = graph(t);
    assert.ok(Array.isArray((await client.api('/users').top(1).get()).value), 'works before the revocation');
    await revokeApiClient(stack, systemContext(), id);
    const err = await rejectsWith(client.api('/users').top(1).get(), 401, 'InvalidAuthenticationToken');
    assert.match(String(err.headers?.get('www-authenticate')), /^Bearer .*error="invalid_token"/);
  });

  test('403 Authorization_RequestDenied for a scope the token lacks', async () => {
    await rejectsWith(inviter.api('/users').get(), 403, 'Authorization_RequestDenied', /User\.Read\.All/);
    await rejectsWith(reader.api('/invitations').post({ invitedUserEmailAddress: 'x@newco.example', inviteRedirectUrl: `${origin}/access` }), 403, 'Authorization_RequestDenied', /User\.Invite\.All/);
  });

  test('404 Request_ResourceNotFound for a missing user, group or path', async () => {
    await rejectsWith(reader.api('/users/999999').get(), 404, 'Request_ResourceNotFound', /999999/);
    await rejectsWith(groups.api('/groups/999999/members').get(), 404, 'Request_ResourceNotFound');
    await rejectsWith(reader.api('/me/drive').get(), 404, 'Request_ResourceNotFound');
  });
});

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document (swagger-parser) covering every route served under /v1.0', async () => {
    const res = await fetch(`${stack.appUrl}/v1.0/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.servers, [{ url: stack.appUrl }]);
    // validate() dereferences in place, hence the copy; it throws naming the first problem.
    const api = await SwaggerParser.validate(structuredClone(doc) as unknown as OpenAPI.Document);
    assert.equal(api.info.title, 'Passerelle API');

    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${expressPath(p)}`)));
    const served = listRoutes(stack.web.app).filter((r) => / \/v1\.0\//.test(r) && r !== 'GET /v1.0/openapi.json');
    assert.ok(served.length >= 14, served.join('\n'));
    for (const r of served) assert.ok(documented.has(r), `${r} is served but not documented`);
    for (const d of documented) assert.ok(served.includes(d), `${d} is documented but not served`);
  });
});
