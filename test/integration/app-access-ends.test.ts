// Access ends, and the app learns it: when a membership of an app is removed or expires, or a guest
// is disabled, removed or reset, the person's grants at the app are revoked (their refresh token stops
// working) and an app that registered a back-channel logout URI receives a logout token, signed by
// Passerelle, for that person. Delivery is a job: retried while the app's endpoint is down, never
// blocking the admin. The apps' endpoints are a small HTTP server of the test's own on 127.0.0.1.
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { Browser } from '../harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest, systemContext } from '../harness/factories.ts';
import { relyingParty, type RelyingParty } from '../harness/relyingParty.ts';
import { auditEvent, auditEvents, membershipsOf } from '../harness/stored.ts';
import { endKeyPublication, expireMemberships, expireOidcRows } from '../harness/rowEdits.ts';
import { freePort } from '../../src/demo/net.ts';
import { rotateSigningKey } from '../../src/commands/signingKeys.ts';
import { addMembership } from '../../src/commands/admin/guests/addMembership.ts';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The apps' back-channel logout endpoints: one path per app, each answering 200 or, while down, 503. */
class LogoutReceiver {
  readonly received = new Map<string, string[]>();
  readonly refused = new Map<string, number>();
  private readonly down = new Set<string>();
  private server!: http.Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
          res.writeHead(400).end();
          return;
        }
        if (this.down.has(path)) {
          this.refused.set(path, (this.refused.get(path) ?? 0) + 1);
          res.writeHead(503).end();
          return;
        }
        const token = new URLSearchParams(body).get('logout_token');
        if (token) this.received.set(path, [...(this.received.get(path) ?? []), token]);
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  endpoint(path: string): string {
    return `${this.url}${path}`;
  }

  setDown(path: string, down: boolean): void {
    if (down) this.down.add(path);
    else this.down.delete(path);
  }

  tokens(path: string): string[] {
    return this.received.get(path) ?? [];
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

let stack: Stack;
const receiver = new LogoutReceiver();
type SignedIn = Awaited<ReturnType<typeof signedInToApps>>[number];
// Sessions at an app that a later test ends another way.
let paulaAtTracker: { paulaId: number; atTracker: SignedIn & { itemId: number } } | undefined;
let garyAtDocs: { garyId: number; atDocs: SignedIn } | undefined;
const admin = new Browser();

before(async () => {
  await receiver.start();
  // Fast retries and a sweep several times a second, so that the test waits on events, not minutes.
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50', SWEEP_INTERVAL_MS: '200' } });
  await admin.signIn(stack.appUrl, 'ours', 'ada.admin@passerelle.test');
});
after(async () => {
  await stack?.stop();
  await receiver.close();
});

/** An app item with a client whose back-channel logout endpoint is `path` on the receiver (or `uri`). */
async function appWithLogout(name: string, logout: { path: string } | { uri: string }, o: { owners?: string[]; openToAll?: boolean } = {}) {
  await buildCatalogItem(stack, { kind: 'app', name, maxDays: 180, ...(o.owners && { owners: o.owners, selfService: true }) });
  const uri = 'path' in logout ? receiver.endpoint(logout.path) : logout.uri;
  return buildAppClient(stack, { item: name, backchannel_logout_uri: uri, ...(o.openToAll && { assignment_required: false }) });
}

/** A guest who signed in to these apps through Passerelle: each app knows them by its subject and holds a refresh token. */
async function signedInToApps(browser: Browser, apps: { clientId: string; secret: string | null }[]) {
  const out: { rp: RelyingParty; sub: string; refreshToken: string }[] = [];
  for (const app of apps) {
    const rp = await relyingParty(stack.appUrl, app);
    const tokens = await rp.signIn(browser);
    assert.ok(tokens.refresh_token, 'the app holds a refresh token');
    // It works before access ends: the refusals below are the end of access.
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
    out.push({ rp, sub: tokens.claims()!.sub, refreshToken: refreshed.refresh_token ?? tokens.refresh_token });
  }
  return out;
}

const refused = (err: unknown) => (err as { error?: string }).error === 'invalid_grant';

/** Checks a logout token as an app must (OpenID Connect Back-Channel Logout 1.0, §2.6) and returns its claims. */
async function verifiedLogoutToken(rp: RelyingParty, token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(rp.config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(token, jwks, { issuer: `${stack.appUrl}/oidc`, audience: rp.clientId, typ: 'logout+jwt' });
  assert.ok(payload.events && typeof payload.events === 'object' && BACKCHANNEL_EVENT in payload.events, 'the back-channel logout event');
  assert.equal(typeof payload.iat, 'number');
  assert.equal(typeof payload.jti, 'string');
  assert.equal(payload.nonce, undefined, 'a logout token carries no nonce');
  return payload;
}

async function guestAction(guestId: number, action: string, fields: Record<string, string> = {}) {
  const page = await admin.go(`${stack.appUrl}/admin/guests/${guestId}`);
  return admin.submit(page, `/admin/guests/${guestId}/${action}`, fields);
}

describe('access ends, and the app learns it', () => {
  test('an admin removes an app from a guest: refresh refused, a signed logout token for the same subject, the next sign-in refused', async () => {
    const wiki = await appWithLogout('Lab Wiki', { path: '/lab-wiki' });
    const other = await appWithLogout('Lab Tracker', { path: '/lab-tracker' });
    const paulaId = await buildGuest(stack, { email: 'paula@acme.test', name: 'Paula Partner', identity: { idp: 'acme', subject: 'acme-paula' }, memberships: ['Lab Wiki', 'Lab Tracker'] });
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const [atWiki, atOther] = await signedInToApps(paula, [wiki, other]);
    paulaAtTracker = { paulaId, atTracker: { ...atOther!, itemId: other.itemId } };

    const page = await guestAction(paulaId, 'memberships/remove', { item: String(wiki.itemId) });
    assert.match(page.text, /Membership removed/);

    const [token] = await eventually('a logout token at the wiki', async () => receiver.tokens('/lab-wiki').length > 0 && receiver.tokens('/lab-wiki'));
    const claims = await verifiedLogoutToken(atWiki!.rp, token!);
    assert.equal(claims.sub, atWiki!.sub, 'the pairwise subject the app knows the person by');
    assert.equal(claims.sid, undefined);

    await assert.rejects(oidc.refreshTokenGrant(atWiki!.rp.config, atWiki!.refreshToken), refused);
    // The app she still holds is untouched: nothing sent, her refresh token works.
    assert.deepEqual(receiver.tokens('/lab-tracker'), []);
    const stillWorks = await oidc.refreshTokenGrant(atOther!.rp.config, atOther!.refreshToken);
    paulaAtTracker.atTracker.refreshToken = stillWorks.refresh_token ?? atOther!.refreshToken;

    const again = await atWiki!.rp.start();
    const step = await atWiki!.rp.browse(paula, again.url);
    assert.ok('page' in step, 'no code for the app');
    assert.match(step.page.text, /You don(&#39;|')t have access to Lab Wiki/);

    const target = `item:${wiki.itemId}`;
    const revoked = await auditEvent(stack, { action: 'app.tokens_revoked', target });
    assert.ok(revoked, 'the revocation is on record');
    assert.equal(revoked.actor_type, 'system');
    assert.deepEqual(JSON.parse(revoked.details), { userId: paulaId, clientId: wiki.clientId, grants: 1 });
    const delivered = await auditEvent(stack, { action: 'app.backchannel_logout', target });
    assert.equal(delivered.outcome, 'success');
    assert.deepEqual(JSON.parse(delivered.details), { userId: paulaId, clientId: wiki.clientId });
    assert.ok(await auditEvent(stack, { action: 'membership.removed', target: `user:${paulaId}`, actor_type: 'user' }), 'the removal is on record, by the admin');

    // The grant is gone, not merely refused: given the app back, her old refresh token stays worthless.
    await guestAction(paulaId, 'memberships/add', { item: String(wiki.itemId) });
    await assert.rejects(oidc.refreshTokenGrant(atWiki!.rp.config, atWiki!.refreshToken), refused);
    assert.equal(receiver.tokens('/lab-wiki').length, 1, 'told once');
  });

  test("an owner removes a guest while the app's endpoint is down: retried, delivered once it is up", async () => {
    const board = await appWithLogout('Lab Board', { path: '/lab-board' }, { owners: ['sam.sponsor@passerelle.test'] });
    const paulaId = (await stack.db('users').where({ email: 'paula@acme.test' }).first()).id as number;
    await guestAction(paulaId, 'memberships/add', { item: String(board.itemId) });
    const paula = new Browser();
    await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
    const [atBoard] = await signedInToApps(paula, [board]);
    receiver.setDown('/lab-board', true);

    const sam = new Browser();
    await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
    const item = await sam.go(`${stack.appUrl}/owner/items/${board.itemId}`);
    const done = await sam.submit(item, `/owner/items/${board.itemId}/guests/${paulaId}/remove`, {});
    assert.equal(done.status, 200, 'the owner is answered at once, whatever the app does');

    await eventually('two refused deliveries', async () => (receiver.refused.get('/lab-board') ?? 0) >= 2);
    // Revoked before the app is told, and refused, while delivery is still failing.
    assert.ok(await auditEvent(stack, { action: 'app.tokens_revoked', target: `item:${board.itemId}` }), 'revoked before delivery succeeded');
    await assert.rejects(oidc.refreshTokenGrant(atBoard!.rp.config, atBoard!.refreshToken), refused);
    receiver.setDown('/lab-board', false);
    const [token] = await eventually('the logout token, once the endpoint is up', async () => receiver.tokens('/lab-board').length > 0 && receiver.tokens('/lab-board'));
    const claims = await verifiedLogoutToken(atBoard!.rp, token!);
    assert.equal(claims.sub, atBoard!.sub);
    const delivered = await eventually('delivery on record', () => auditEvent(stack, { action: 'app.backchannel_logout', target: `item:${board.itemId}` }));
    assert.equal(delivered.outcome, 'success');
    assert.equal(receiver.tokens('/lab-board').length, 1);
  });

  test('a guest disabled: every app revoked and told, an app that cannot be reached does not hold back the others, and its failure is on record', async () => {
    const notes = await appWithLogout('Lab Notes', { path: '/lab-notes' });
    // Nothing listens there: every attempt fails.
    const gone = await appWithLogout('Lab Archive', { uri: `http://127.0.0.1:${await freePort()}/logout` });
    const peteId = await buildGuest(stack, { email: 'pete@acme.test', name: 'Pete Peer', identity: { idp: 'acme', subject: 'acme-pete' }, memberships: ['Lab Notes', 'Lab Archive'] });
    const pete = new Browser();
    await pete.signIn(stack.appUrl, 'acme', 'pete@acme.test');
    const [atNotes, atArchive] = await signedInToApps(pete, [notes, gone]);

    await guestAction(peteId, 'disable');

    const [token] = await eventually('a logout token at the notes app', async () => receiver.tokens('/lab-notes').length > 0 && receiver.tokens('/lab-notes'));
    assert.equal((await verifiedLogoutToken(atNotes!.rp, token!)).sub, atNotes!.sub);
    await assert.rejects(oidc.refreshTokenGrant(atNotes!.rp.config, atNotes!.refreshToken), refused);
    await assert.rejects(oidc.refreshTokenGrant(atArchive!.rp.config, atArchive!.refreshToken), refused);

    const failed = await eventually(
      'the unreachable app given up on',
      () => auditEvent(stack, { action: 'app.backchannel_logout', target: `item:${gone.itemId}` }),
      30_000,
    );
    assert.equal(failed.outcome, 'failure');
    const details = JSON.parse(failed.details);
    assert.equal(details.clientId, gone.clientId);
    assert.equal(details.attempts, 5);
    assert.ok(await auditEvent(stack, { action: 'app.tokens_revoked', target: `item:${gone.itemId}` }), 'its grants were revoked all the same');
    assert.equal(receiver.tokens('/lab-notes').length, 1, 'the reachable app was told once');
  });

  test('a membership expires: after the sweep, refresh refused and the app told; the end is acted on once', async () => {
    const docs = await appWithLogout('Lab Docs', { path: '/lab-docs' });
    const garyId = await buildGuest(stack, { email: 'gary@globex.test', name: 'Gary Guest', identity: { idp: 'globex', subject: 'globex-gary' }, memberships: ['Lab Docs', 'Project Atlas'] });
    const gary = new Browser();
    await gary.signIn(stack.appUrl, 'globex', 'gary@globex.test');
    const [atDocs] = await signedInToApps(gary, [docs]);
    garyAtDocs = { garyId, atDocs: atDocs! };

    await expireMemberships(stack, garyId, docs.itemId);

    const [token] = await eventually('a logout token at the docs app', async () => receiver.tokens('/lab-docs').length > 0 && receiver.tokens('/lab-docs'));
    assert.equal((await verifiedLogoutToken(atDocs!.rp, token!)).sub, atDocs!.sub);
    await assert.rejects(oidc.refreshTokenGrant(atDocs!.rp.config, atDocs!.refreshToken), refused);
    const ended = (await membershipsOf(stack, garyId)).find((m) => Number(m.item_id) === docs.itemId);
    assert.ok(ended?.access_ended_at, 'the end is marked');
    const [expired] = await auditEvents(stack, { action: 'membership.expired', target: `user:${garyId}` });
    assert.equal(expired.actor_type, 'system');
    assert.equal(JSON.parse(expired.details).item, 'Lab Docs');
    assert.ok(await auditEvent(stack, { action: 'app.tokens_revoked', target: `item:${docs.itemId}` }), 'the revocation is on record');

    // A later sweep ends his group membership, and leaves the app's end as it was: once.
    const [atlas] = (await stack.db('catalog_items').where({ name: 'Project Atlas' })) as { id: number }[];
    await expireMemberships(stack, garyId, atlas!.id);
    await eventually('the group membership ended', async () => (await auditEvents(stack, { action: 'membership.expired', target: `user:${garyId}` })).length === 2);
    const items = (await auditEvents(stack, { action: 'membership.expired', target: `user:${garyId}` })).map((e) => JSON.parse(e.details).item);
    assert.deepEqual(items, ['Lab Docs', 'Project Atlas']);
    assert.equal(receiver.tokens('/lab-docs').length, 1);

    // An admin grants the app again: a new term in the same row, and he signs in to it again.
    await addMembership(stack, systemContext(), garyId, docs.itemId, null);
    const renewed = (await membershipsOf(stack, garyId)).find((m) => Number(m.item_id) === docs.itemId);
    assert.ok(renewed && renewed.access_ended_at === null && renewed.expires_at > new Date().toISOString(), 'granted anew');
    const tokens = await atDocs!.rp.signIn(gary);
    assert.ok(tokens.access_token, 'signed in to the app again');
  });

  test('a guest removed: the apps she used are revoked and told, each with the subject it knows her by', async () => {
    const { paulaId, atTracker } = paulaAtTracker!;
    await guestAction(paulaId, 'remove');
    const [token] = await eventually('a logout token at the tracker', async () => receiver.tokens('/lab-tracker').length > 0 && receiver.tokens('/lab-tracker'));
    assert.equal((await verifiedLogoutToken(atTracker.rp, token!)).sub, atTracker.sub);
    await assert.rejects(oidc.refreshTokenGrant(atTracker.rp.config, atTracker.refreshToken), refused);
    assert.ok(await auditEvent(stack, { action: 'app.tokens_revoked', target: `item:${atTracker.itemId}` }), 'the revocation is on record');
  });

  test("a guest's redemption reset: the identity that was bound is signed out of the apps", async () => {
    const { garyId, atDocs } = garyAtDocs!;
    const forum = await appWithLogout('Lab Forum', { path: '/lab-forum' });
    await guestAction(garyId, 'memberships/add', { item: String(forum.itemId) });
    const gary = new Browser();
    await gary.signIn(stack.appUrl, 'globex', 'gary@globex.test');
    const [atForum] = await signedInToApps(gary, [forum]);

    await guestAction(garyId, 'reset');

    const [token] = await eventually('a logout token at the forum', async () => receiver.tokens('/lab-forum').length > 0 && receiver.tokens('/lab-forum'));
    assert.equal((await verifiedLogoutToken(atForum!.rp, token!)).sub, atForum!.sub);
    await assert.rejects(oidc.refreshTokenGrant(atForum!.rp.config, atForum!.refreshToken), refused);
    // The docs app heard of his membership's end already; it hears of the reset too, as every app he consented to does.
    await eventually('the docs app told of the reset', async () => receiver.tokens('/lab-docs').length === 2);
    assert.equal((await verifiedLogoutToken(atDocs.rp, receiver.tokens('/lab-docs')[1]!)).sub, atDocs.sub);
  });
});

describe("signing out of Passerelle signs this browser's sessions out of the apps", () => {
  test('each app it signed in to is sent a logout token naming that session; refresh tokens bound to the session stop working', async () => {
    const board = await appWithLogout('Board Notes', { path: '/board' }, { openToAll: true });
    // Sue, a member of our organization: this app does not require assignment.
    const sue = new Browser();
    await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
    const rp = await relyingParty(stack.appUrl, board);
    const tokens = await rp.signIn(sue);
    const sid = tokens.claims()!.sid;
    assert.equal(typeof sid, 'string', 'the ID token names the session, for the logout to come');
    assert.ok(tokens.refresh_token, 'a refresh token');

    const access = await sue.go(`${stack.appUrl}/inbox`);
    const out = await sue.submit(access, '/auth/logout', {});
    assert.match(out.text, /You are signed out/);

    const [token] = await eventually('a logout token at the board app', async () => receiver.tokens('/board').length > 0 && receiver.tokens('/board'));
    const claims = await verifiedLogoutToken(rp, token!);
    assert.equal(claims.sub, tokens.claims()!.sub);
    assert.equal(claims.sid, sid, 'the session that ended');
    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), refused);
    const signedOut = await auditEvent(stack, { action: 'auth.signed_out' });
    assert.ok(signedOut, 'the sign-out is on record');
    assert.ok(await auditEvent(stack, { action: 'app.backchannel_logout', target: `item:${board.itemId}` }), 'the logout is on record');
  });
});

describe('the OpenID Provider cleans up after itself', () => {
  test('expired stored objects and keys past their publication are removed; live ones stay', async () => {
    // Sue is a member of our organization: an app open to everyone lets her in without a membership.
    const lab = await appWithLogout('Lab Calendar', { path: '/lab-calendar' }, { openToAll: true });
    const sueId = (await stack.db('users').where({ email: 'sue.sponsor@passerelle.test' }).first()).id as number;
    const sue = new Browser();
    await sue.signIn(stack.appUrl, 'ours', 'sue.sponsor@passerelle.test');
    const [atLab] = await signedInToApps(sue, [lab]);

    const who = { accountId: String(sueId), clientId: lab.clientId };
    assert.ok((await expireOidcRows(stack, { type: 'AccessToken', ...who })) > 0, 'she holds access tokens');
    await eventually('expired access tokens removed', async () => (await stack.db('oidc_payloads').where({ type: 'AccessToken', account_id: who.accountId, client_id: who.clientId })).length === 0);
    // The refresh token of the same grant was not expired, and still works.
    await oidc.refreshTokenGrant(atLab!.rp.config, atLab!.refreshToken);

    const rotation = await rotateSigningKey(stack, systemContext());
    const [retired] = rotation.retired;
    assert.ok(retired, 'a key was retired');
    await endKeyPublication(stack, retired);
    await eventually('the retired key removed', async () => !(await stack.db('oidc_keys').where({ kid: retired }).first()));
    assert.ok(await stack.db('oidc_keys').where({ kid: rotation.kid }).first(), 'the key that signs stays');
  });
});
