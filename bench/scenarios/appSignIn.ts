// 7 App sign-ins through Passerelle's OpenID Provider, for a person who already has a Passerelle
// session and whose consent to the app is on record: authorization request → 303 with a code (no
// page) → code exchange → userinfo, the relying party's side included (openid-client, in this
// process). Ceiling: a bare oidc-provider (bench/ceilings/bareOidc.ts, in memory) driven by the same
// loop, in the same run. Besides the ratio, sign-ins per second per core of the OP's side: the web
// process (on PostgreSQL plus the database's backends serving this run), from /proc.
import * as oidc from 'openid-client';
import type { Db } from '../../src/db/knex.ts';
import { inTransaction } from '../../src/db/knex.ts';
import { grantMembership } from '../../src/db/memberships.ts';
import { OIDC_PATH } from '../../src/oidc/provider.ts';
import { Browser } from '../../test/harness/browser.ts';
import { buildAppClient, buildCatalogItem, buildGuest } from '../../test/harness/factories.ts';
import { itemsNamed } from '../../test/harness/world.ts';
import { relyingParty } from '../../test/harness/relyingParty.ts';
import type { BenchStack } from '../lib/stack.ts';
import { cpuMsOf } from '../lib/stack.ts';
import { startCeiling } from '../lib/ceiling.ts';
import type { Row } from '../lib/report.ts';
import { CookieJar, discover, signInLoop, type SignInRun } from '../lib/signInLoop.ts';

export interface AppSignInOptions {
  label: string;
  seconds: number;
  /** Sign-ins in flight at once: one loop per browser, each its own session of the same person. */
  loops: number;
  maxCount: number;
}

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const APP = 'Bench Wiki';
const GROUP = 'Project Atlas';
/** Keycloak's published sizing, per vCPU (keycloak.org, "Concepts for sizing CPU and memory resources"). */
const KEYCLOAK = { passwordSignIns: 15, refreshes: 120 };
const TARGET = { ratio: 0.5, perCore: 150 };

/** CPU (ms) the PostgreSQL backends of this run's database have used so far, by pid. */
async function pgBackendsCpu(db: Db): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (db.client.config.client !== 'pg') return out;
  const rows = (await db.raw('select pid from pg_stat_activity where datname = current_database()')).rows as { pid: number }[];
  for (const { pid } of rows) {
    try {
      out.set(pid, cpuMsOf(pid));
    } catch {
      // ended since: its CPU is lost to both readings
    }
  }
  return out;
}

const cpuDelta = (before: Map<number, number>, after: Map<number, number>) => [...after].reduce((s, [pid, ms]) => s + ms - (before.get(pid) ?? 0), 0);

/** Pete (acme) holding the bench app and a group it may see, with a client registered for the app. */
async function benchApp(b: BenchStack): Promise<{ clientId: string; secret: string }> {
  const { stack } = b;
  await buildCatalogItem(stack, { kind: 'app', name: APP });
  const client = await buildAppClient(stack, { item: APP, visibleGroups: [GROUP], redirect_uris: [REDIRECT_URI] });
  const items = await itemsNamed(stack, [APP, GROUP]);
  const bound = await stack.db('user_identities').where({ subject: 'acme-pete' }).first('user_id');
  if (!bound) {
    await buildGuest(stack, { email: 'pete@acme.test', name: 'Pete Peer', identity: { idp: 'acme', subject: 'acme-pete' }, memberships: [APP, GROUP] });
  } else {
    await inTransaction(stack.db, async (trx) => {
      for (const item of items) await grantMembership(trx, { userId: Number(bound.user_id), itemId: item.id, source: 'direct', sourceId: null, grantedBy: null, expiresAt: null });
    });
  }
  return { clientId: client.clientId, secret: client.secret! };
}

/** `loops` browsers, each signed in to Passerelle and once to the app (consent given by the first). */
async function passerelleSessions(b: BenchStack, client: { clientId: string; secret: string }, loops: number): Promise<string[]> {
  const { appUrl } = b.stack;
  const rp = await relyingParty(appUrl, client, REDIRECT_URI);
  const cookies: string[] = [];
  for (let i = 0; i < loops; i++) {
    const browser = new Browser();
    await browser.signIn(appUrl, 'acme', 'pete@acme.test');
    await rp.signIn(browser);
    cookies.push(browser.cookieHeader(appUrl));
  }
  return cookies;
}

/** `loops` OP sessions at the bare provider, each got by one sign-in walked as a browser would. */
async function bareSessions(url: string, client: { clientId: string; secret: string }, loops: number): Promise<string[]> {
  const config = await discover(url, client.clientId, client.secret);
  const cookies: string[] = [];
  for (let i = 0; i < loops; i++) {
    const jar = new CookieJar();
    let next: URL | undefined = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile groups',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    for (let hop = 0; next && !next.toString().startsWith(REDIRECT_URI); hop++) {
      if (hop > 5) throw new Error('the bare OP did not come back with a code');
      const res: Response = await fetch(next, { headers: { cookie: jar.header() }, redirect: 'manual' });
      await res.arrayBuffer();
      jar.take(res);
      const location = res.headers.get('location');
      next = location ? new URL(location, next) : undefined;
    }
    if (!next) throw new Error('the bare OP answered its sign-in with a page');
    cookies.push(jar.header((name) => name.startsWith('_session')));
  }
  return cookies;
}

interface Measured {
  run: SignInRun;
  /** CPU of the OP's side per sign-in (ms), and how many cores it kept busy. */
  opCpuMs: number;
  cores: number;
  webCpuMs?: number;
  dbCpuMs?: number;
  workerCpuMs?: number;
}

type Spent = { op: number; web?: number; db?: number; worker?: number };

/** Warm-up, then the measured loop, with the CPU (ms) the OP's processes spent meanwhile. */
async function measure<S>(loop: (seconds: number) => Promise<SignInRun>, snapshot: () => Promise<S>, spent: (before: S, after: S) => Spent, seconds: number): Promise<Measured> {
  await loop(2);
  const before = await snapshot();
  const run = await loop(seconds);
  const d = spent(before, await snapshot());
  const n = Math.max(1, run.completed);
  const per = (ms?: number) => (ms === undefined ? undefined : ms / n);
  return { run, opCpuMs: d.op / n, cores: d.op / run.wallMs, webCpuMs: per(d.web), dbCpuMs: per(d.db), workerCpuMs: per(d.worker) };
}

const perCore = (m: Measured) => (m.cores > 0 ? m.run.perSecond / m.cores : NaN);
const f = (n: number | undefined, d = 2) => (n === undefined || Number.isNaN(n) ? '?' : n.toFixed(d));

export async function appSignIns(b: BenchStack, o: AppSignInOptions): Promise<Row[]> {
  const client = await benchApp(b);
  const issuer = `${b.stack.appUrl}${OIDC_PATH}`;
  const cookies = await passerelleSessions(b, client, o.loops);
  const config = await discover(issuer, client.clientId, client.secret);
  const loopAt = (cfg: typeof config, jars: string[]) => (seconds: number) => signInLoop({ config: cfg, cookies: jars, redirectUri: REDIRECT_URI, seconds, maxCount: o.maxCount });

  const productSnapshot = async () => ({ ...b.cpu(), pg: await pgBackendsCpu(b.stack.db) });
  type Snap = Awaited<ReturnType<typeof productSnapshot>>;
  const productSpent = (x: Snap, y: Snap): Spent => {
    const db = cpuDelta(x.pg, y.pg);
    return { op: y.web - x.web + db, web: y.web - x.web, db, worker: y.worker - x.worker };
  };
  const product = await measure(loopAt(config, cookies), productSnapshot, productSpent, o.seconds);

  const bareServer = await startCeiling('bareOidc.ts', { CLIENT_ID: client.clientId, CLIENT_SECRET: client.secret, REDIRECT_URI });
  let bare: Measured;
  try {
    const bareCookies = await bareSessions(bareServer.url, client, o.loops);
    const bareConfig = await discover(bareServer.url, client.clientId, client.secret);
    bare = await measure(loopAt(bareConfig, bareCookies), async () => bareServer.cpu(), (x, y) => ({ op: y - x }), o.seconds);
  } finally {
    await bareServer.stop();
  }

  const p = product.run;
  const ratio = p.perSecond / bare.run.perSecond;
  const productPerCore = perCore(product);
  const barePerCore = perCore(bare);
  const where = b.stack.db.client.config.client === 'pg' ? 'web process + its PostgreSQL backends' : 'web process (SQLite in it)';
  const steps = (r: SignInRun) => `medians: authorize ${f(r.steps.authorize, 1)}, token ${f(r.steps.token, 1)}, userinfo ${f(r.steps.userinfo, 1)} ms`;
  const rp = (m: Measured) => `${f(m.run.rpCpuMs / Math.max(1, m.run.completed))} ms CPU per sign-in, ${f(m.run.rpCpuMs / m.run.wallMs)} cores`;
  // Keycloak sizes its database apart from its own vCPUs: the like-for-like figure is the web process's.
  const webPerCore = product.webCpuMs ? 1000 / product.webCpuMs : NaN;
  return [
    {
      name: `7 app sign-in, session and consent held (${o.label})`,
      figure: p.perSecond,
      unit: 'sign-ins/s',
      ceiling: bare.run.perSecond,
      ratio,
      p50: p.p50,
      p99: p.p99,
      target: `ratio ≥ ${TARGET.ratio}`,
      ok: ratio >= TARGET.ratio && p.unexpected === 0,
      notes:
        `${p.completed} sign-ins (authorize → code → token → userinfo) by ${o.loops} loops over ${f(p.wallMs / 1000, 1)} s, ${p.unexpected} unexpected` +
        `${p.firstError ? ` (first: ${p.firstError})` : ''}; ${steps(p)}; bare oidc-provider p50 ${f(bare.run.p50, 1)} ms, p99 ${f(bare.run.p99, 1)} ms, ${steps(bare.run)}`,
    },
    {
      name: `7 app sign-ins per OP core (${o.label})`,
      figure: productPerCore,
      unit: '/s/core',
      ceiling: barePerCore,
      ratio: productPerCore / barePerCore,
      target: `≥ ${TARGET.perCore}/s per core`,
      ok: productPerCore >= TARGET.perCore,
      notes:
        `OP side = ${where}: ${f(product.opCpuMs)} ms CPU per sign-in (web ${f(product.webCpuMs)}, database ${f(product.dbCpuMs)}; worker ${f(product.workerCpuMs)}), ${f(product.cores)} of the machine's cores busy; ` +
        `web process alone ${f(webPerCore, 0)}/s per core; bare oidc-provider ${f(bare.opCpuMs)} ms per sign-in, ${f(bare.cores)} cores; ` +
        `the RP (this process) ${rp(product)} (bare run: ${rp(bare)}). ` +
        `Keycloak's sizing per vCPU: ${KEYCLOAK.passwordSignIns} password sign-ins/s, ${KEYCLOAK.refreshes} refresh-token requests/s`,
    },
    {
      name: `7 bare oidc-provider, in memory (${o.label} run)`,
      figure: bare.run.perSecond,
      unit: 'sign-ins/s',
      p50: bare.run.p50,
      p99: bare.run.p99,
      target: 'reference: the ceiling',
      ok: bare.run.unexpected === 0,
      reference: true,
      notes: `${bare.run.completed} sign-ins, ${bare.run.unexpected} unexpected${bare.run.firstError ? ` (first: ${bare.run.firstError})` : ''}; ${f(barePerCore, 0)} per core`,
    },
  ];
}
