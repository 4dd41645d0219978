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

/** Warms up and measures the product, then the ceiling server on the same load, one after the other. */
async function againstCeiling(b: BenchStack, run: (url: string, seconds?: number) => Promise<LoadResult>, ceilingFile: string, env: Record<string, string>) {
  const appUrl = b.stack.appUrl;
  await run(appUrl, 2);
  const cpuBefore = b.cpu().web;
  const figure = await run(appUrl);
  // What one request costs the web process: the figure that does not depend on the machine's noise.
  const webCpuMs = (b.cpu().web - cpuBefore) / figure.total;
  const ceiling = await startCeiling(ceilingFile, env);
  try {
    await run(ceiling.url, 2);
    const ceilingCpuBefore = ceiling.cpu();
    const bare = await run(ceiling.url);
    const bareCpuMs = (ceiling.cpu() - ceilingCpuBefore) / bare.total;
    return { figure, bare, ratio: figure.rps / bare.rps, webCpuMs, bareCpuMs };
  } finally {
    await ceiling.stop();
  }
}

/** A row for a throughput figure held against its ceiling: targets on the ratio and the p99. */
function ratioRow(name: string, m: { figure: LoadResult; bare: LoadResult; ratio: number; webCpuMs: number; bareCpuMs: number }, target: { ratio: number; p99: number }, what: string): Row {
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
    notes: `${what}, ${m.figure.unexpected} unexpected answers; web CPU ${m.webCpuMs.toFixed(2)} ms per request against the ceiling's ${m.bareCpuMs.toFixed(2)} ms; ceiling p99 ${m.bare.p99} ms`,
  };
}

export async function submission(b: BenchStack, o: WebOptions): Promise<Row> {
  const { stack } = b;
  const paula = new Browser();
  await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${stack.appUrl}/requests/new`);
  const body = new URLSearchParams({ _csrf: csrfToken(form.text)!, justification: 'Benchmark: we need the shared specifications for the gearbox.' });
  for (const id of await catalogIds(stack, ['Partner Wiki'])) body.append('items', id);
  const headers = { cookie: paula.cookieHeader(stack.appUrl), 'content-type': 'application/x-www-form-urlencoded' };
  const run = (url: string, seconds = o.seconds) => load({ url: `${url}/requests`, method: 'POST', headers, body: body.toString(), connections: o.connections, seconds, expect: 303 });

  const m = await againstCeiling(b, run, 'insertServer.ts', { DATABASE_URL: stack.env.DATABASE_URL });
  return ratioRow(`1 request submission (${o.label})`, m, { ratio: 0.5, p99: 100 }, `${m.figure.total} submissions at ${o.connections} connections`);
}

export async function inbox(b: BenchStack, o: WebOptions): Promise<Row> {
  const { stack } = b;
  await seedRequests(stack.db, { count: o.inboxRequests, approverEmail: 'sam.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'] });
  await seedGuests(stack.db, o.guests);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const page = await sam.go(`${stack.appUrl}/inbox`);
  const shown = (page.text.match(/href="\/inbox\/\d+"/g) ?? []).length;
  if (page.status !== 200 || shown === 0) throw new Error(`inbox answered ${page.status} with ${shown} rows`);
  const headers = { cookie: sam.cookieHeader(stack.appUrl) };
  const run = (url: string, seconds = o.seconds) => load({ url: `${url}/inbox`, headers, connections: o.connections, seconds, expect: 200 });

  const m = await againstCeiling(b, run, 'pageServer.ts', { ROWS: String(shown) });
  return ratioRow(`2 sponsor inbox (${o.label})`, m, { ratio: 0.6, p99: 60 }, `${o.inboxRequests} requests and ${o.guests} guests in the database, ${shown} rows on the page`);
}
