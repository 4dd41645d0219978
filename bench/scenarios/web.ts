// 1 Request submission and 2 the sponsor inbox, each against its bare-stack ceiling in the same run.
import { Browser, csrfToken } from '../../test/harness/browser.ts';
import { catalogIds } from '../../test/harness/flows.ts';
import type { BenchStack } from '../lib/stack.ts';
import { startCeiling } from '../lib/ceiling.ts';
import { load, type LoadResult } from '../lib/load.ts';
import { seedGuests, seedRequests } from '../lib/data.ts';
import type { Row } from '../lib/report.ts';

export interface WebOptions {
  label: string;
  seconds: number;
  connections: number;
  inboxRequests: number;
  guests: number;
}

type Run = (url: string, seconds?: number) => Promise<LoadResult>;

/** Warms up and measures one server under the load of `run`, with the CPU time it spent per request. */
async function measure(run: Run, url: string, cpu: () => number, background?: () => number): Promise<{ result: LoadResult; cpuMs: number; backgroundBefore: number }> {
  await run(url, 2);
  const before = cpu();
  const backgroundBefore = background?.() ?? 0;
  const result = await run(url);
  return { result, cpuMs: (cpu() - before) / result.total, backgroundBefore };
}

/**
 * The product, then its bare ceiling, then the stack floor (bench/ceilings/stackFloor.ts: the same
 * framework layers as the product with none of its code), one after the other under the same load.
 * The floor says how much of the distance to the ceiling is the stack's and how much the product's.
 * `floorRun` signs in at the floor server and builds the load for it (its own cookie and CSRF token).
 */
async function againstCeiling(b: BenchStack, run: Run, ceilingFile: string, env: Record<string, string>, floorRun: (floorUrl: string) => Promise<Run>) {
  // What one request costs the web process: the figure that does not depend on the machine's noise.
  const product = await measure(run, b.stack.appUrl, () => b.cpu().web, () => b.cpu().worker);
  // The worker drains what the product's load queued (mail) before the others are measured: on
  // SQLite its writes would take the lock from them, and everywhere its CPU. What it spent from the
  // start of the run until it was quiet is the background cost of each request.
  await workerQuiet(b);
  const workerCpuMs = (b.cpu().worker - product.backgroundBefore) / product.result.total;
  const ceiling = await startCeiling(ceilingFile, env);
  let bare;
  try {
    bare = await measure(run, ceiling.url, ceiling.cpu);
  } finally {
    await ceiling.stop();
  }
  const floorServer = await startCeiling('stackFloor.ts', { ...env, DATABASE_URL: b.stack.env.DATABASE_URL });
  let floor;
  try {
    floor = await measure(await floorRun(floorServer.url), floorServer.url, floorServer.cpu);
  } finally {
    await floorServer.stop();
  }
  return {
    figure: product.result,
    bare: bare.result,
    ratio: product.result.rps / bare.result.rps,
    webCpuMs: product.cpuMs,
    workerCpuMs,
    bareCpuMs: bare.cpuMs,
    floor: floor.result,
    floorCpuMs: floor.cpuMs,
  };
}

/** Waits (at most a minute) until the worker spends under 5 % of a core. */
async function workerQuiet(b: BenchStack): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = b.cpu().worker;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = b.cpu().worker;
    if (now - last < 50) return;
    last = now;
  }
}

type Measured = Awaited<ReturnType<typeof againstCeiling>>;

/** A row for a throughput figure held against its ceiling: targets on the ratio and the p99. */
function ratioRow(name: string, m: Measured, target: { ratio: number; p99: number }, what: string): Row {
  return {
    name,
    figure: m.figure.rps,
    unit: 'req/s',
    ceiling: m.bare.rps,
    ratio: m.ratio,
    p50: m.figure.p50,
    p99: m.figure.p99,
    target: `ratio ≥ ${target.ratio}, p99 < ${target.p99} ms`,
    ok: m.ratio >= target.ratio && m.figure.p99 < target.p99 && m.figure.unexpected === 0,
    notes: `${what}, ${m.figure.unexpected} unexpected answers; web CPU ${m.webCpuMs.toFixed(2)} ms per request (worker ${m.workerCpuMs.toFixed(2)} ms until it drained) against the ceiling's ${m.bareCpuMs.toFixed(2)} ms and the stack floor's ${m.floorCpuMs.toFixed(2)} ms; ceiling p99 ${m.bare.p99} ms`,
  };
}

/** The stack floor's row: what the framework layers alone reach against the same ceiling (no target). */
function floorRow(name: string, m: Measured, layers: string): Row {
  return {
    name,
    figure: m.floor.rps,
    unit: 'req/s',
    ceiling: m.bare.rps,
    ratio: m.floor.rps / m.bare.rps,
    p50: m.floor.p50,
    p99: m.floor.p99,
    target: 'reference: the stack alone',
    ok: m.floor.unexpected === 0,
    reference: true,
    notes: `${layers}, no product code; ${m.floor.unexpected} unexpected answers; CPU ${m.floorCpuMs.toFixed(2)} ms per request`,
  };
}

/** Signs in at the stack floor server: its session cookie and the CSRF token of that session. */
async function floorSignIn(floorUrl: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${floorUrl}/login`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (res.status !== 200 || !cookie) throw new Error(`stack floor sign-in answered ${res.status}`);
  return { cookie, csrf: await res.text() };
}

export async function submission(b: BenchStack, o: WebOptions): Promise<Row[]> {
  const { stack } = b;
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  const body = new URLSearchParams({ _csrf: csrfToken(form.text)!, justification: 'Benchmark: we need the shared specifications for the gearbox.' });
  for (const id of await catalogIds(stack, ['Partner Wiki'])) body.append('items', id);
  const post = (cookie: string, form: URLSearchParams): Run => (url, seconds = o.seconds) =>
    load({ url: `${url}/requests`, method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), connections: o.connections, seconds, expect: 303 });
  const floorRun = async (floorUrl: string) => {
    const { cookie, csrf } = await floorSignIn(floorUrl);
    const form = new URLSearchParams(body);
    form.set('_csrf', csrf);
    return post(cookie, form);
  };

  const m = await againstCeiling(b, post(paula.cookieHeader(stack.appUrl), body), 'insertServer.ts', { DATABASE_URL: stack.env.DATABASE_URL }, floorRun);
  return [
    ratioRow(`1 request submission (${o.label})`, m, { ratio: 0.5, p99: 100 }, `${m.figure.total} submissions at ${o.connections} connections`),
    floorRow(`1 stack floor: submission (${o.label})`, m, 'helmet, urlencoded body, express-session on a database store, passport session, csrf-sync, a knex transaction of two inserts'),
  ];
}

export async function inbox(b: BenchStack, o: WebOptions): Promise<Row[]> {
  const { stack } = b;
  await seedRequests(stack.db, { count: o.inboxRequests, approverEmail: 'sam.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'] });
  await seedGuests(stack.db, o.guests);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const page = await sam.go(`${stack.appUrl}/inbox`);
  const shown = (page.text.match(/href="\/inbox\/\d+"/g) ?? []).length;
  if (page.status !== 200 || shown === 0) throw new Error(`inbox answered ${page.status} with ${shown} rows`);
  const get = (cookie: string): Run => (url, seconds = o.seconds) => load({ url: `${url}/inbox`, headers: { cookie }, connections: o.connections, seconds, expect: 200 });
  const floorRun = async (floorUrl: string) => get((await floorSignIn(floorUrl)).cookie);

  const m = await againstCeiling(b, get(sam.cookieHeader(stack.appUrl)), 'pageServer.ts', { ROWS: String(shown) }, floorRun);
  return [
    ratioRow(`2 sponsor inbox (${o.label})`, m, { ratio: 0.6, p99: 60 }, `${o.inboxRequests} requests and ${o.guests} guests in the database, ${shown} rows on the page`),
    floorRow(`2 stack floor: inbox (${o.label})`, m, `helmet, express-session on a database store, passport session, a CSRF token, the ceiling's ${shown}-row EJS table`),
  ];
}
