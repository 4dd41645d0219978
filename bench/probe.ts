// Ad-hoc: throughput of a few routes, to see where the time goes (not part of npm run bench).
import { benchStack } from './lib/stack.ts';
import { load } from './lib/load.ts';
import { Browser, csrfToken } from '../test/harness/browser.ts';
import { catalogIds } from '../test/harness/flows.ts';
import { seedRequests } from './lib/data.ts';

const b = await benchStack({ postgres: process.env.PG === '1', env: process.env.PROBE_ENV ? JSON.parse(process.env.PROBE_ENV) : {} });
try {
  const paula = new Browser();
  await paula.signIn(b.stack.appUrl, 'acme', 'paula@acme.test');
  const form = await paula.go(`${b.stack.appUrl}/requests/new`);
  const body = new URLSearchParams({ _csrf: csrfToken(form.text)!, justification: 'Benchmark: we need the shared specifications for the gearbox.' });
  for (const id of await catalogIds(b.stack, ['Partner Wiki'])) body.append('items', id);
  await seedRequests(b.stack.db, { count: 1000, approverEmail: 'sam.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'] });
  const sam = new Browser();
  await sam.signIn(b.stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  const all = [['/healthz', 'GET', 200, paula], ['/', 'GET', 200, paula], ['/requests/new', 'GET', 200, paula], ['/requests', 'POST', 303, paula], ['/requests', 'GET', 200, paula], ['/inbox', 'GET', 200, sam]] as const;
  for (const [path, method, expect, who] of all.filter(([p, m]) => !process.env.ROUTES || process.env.ROUTES.split(',').includes(`${m} ${p}`))) {
    const cookie = who.cookieHeader(b.stack.appUrl);
    const before = b.cpu().web;
    const r = await load({ url: `${b.stack.appUrl}${path}`, method, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'POST' ? body.toString() : undefined, connections: 50, seconds: 3, expect });
    const cpu = (b.cpu().web - before) / r.total;
    console.log(method, path, r.rps, 'rps p50', r.p50, 'p99', r.p99, 'unexpected', r.unexpected, 'web CPU/request', cpu.toFixed(2), 'ms');
  }
  console.log('rss', b.rss());
} finally {
  await b.stop();
}
