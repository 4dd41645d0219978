// 3 Approval → invitation mail: `count` pending requests routed to Sam, each from its own partner
// address; Sam approves them all as fast as the web process takes the POSTs (bounded concurrency,
// keep-alive), and each approval is timed from the start of its POST to the moment the SMTP catcher
// accepted the invitation mail to that partner. Ceiling: Bull no-op jobs on the same Redis.
// The rows each hop leaves (decided_at, the outbox's published_at, provisioned_at, the mail's outbox
// row) say where the time goes; their medians go into the notes.
import http from 'node:http';
import { Browser, csrfToken } from '../../test/harness/browser.ts';
import type { Db } from '../../src/db/knex.ts';
import type { BenchStack } from '../lib/stack.ts';
import { seedRequests } from '../lib/data.ts';
import { percentile } from '../lib/load.ts';
import { bullNoopCeiling } from '../lib/bullCeiling.ts';
import { mailFloor } from '../lib/mailFloor.ts';
import type { Row } from '../lib/report.ts';

const SAM = 'sam.sponsor@passerelle.test';
const TIMEOUT_MS = 120_000;

const ms = (iso: unknown): number => (iso ? new Date(String(iso)).getTime() : NaN);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const fmt = (n: number) => (Number.isNaN(n) ? '?' : String(Math.round(n)));

/** Waits (bounded) until earlier figures' work has drained: nothing unrouted, unprovisioned, unpublished or unsent. */
async function settle(db: Db, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const count = async (q: ReturnType<Db>) => Number(((await q.count({ n: '*' }).first()) as { n?: unknown } | undefined)?.n ?? 0);
    const busy =
      (await count(db('outbox').whereNull('published_at'))) +
      (await count(db('mail_messages').where({ status: 'queued' }))) +
      (await count(db('access_requests').where({ status: 'approved' }))) +
      (await count(db('access_requests').where({ status: 'pending' }).whereNull('routed_at')));
    if (busy === 0) return true;
    if (Date.now() > until) return false;
    await sleep(250);
  }
}

function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('POST timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function approvals(b: BenchStack, o: { label: string; count: number; connections: number }): Promise<Row[]> {
  const { stack } = b;
  const { db } = stack;
  const settled = await settle(db, 180_000);
  const seeded = await seedRequests(db, { count: o.count, approverEmail: SAM, status: 'pending', itemNames: ['Partner Wiki'] });
  const index = new Map(seeded.map((s, i) => [s.email, i]));

  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', SAM);
  const page = await sam.go(`${stack.appUrl}/inbox/${seeded[0].id}`);
  const csrf = csrfToken(page.text);
  if (page.status !== 200 || !csrf) throw new Error(`request page answered ${page.status} without a decision form`);
  const headers = { cookie: sam.cookieHeader(stack.appUrl), 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams({ _csrf: csrf, decision: 'approve', reason: '' }).toString();
  const outboxBefore = Number(((await db('outbox').max({ m: 'id' }).first()) as { m: unknown } | undefined)?.m ?? 0);

  // When the catcher accepted each invitation (its `date` is stamped, to the millisecond, as the
  // message is accepted; this process's clock, the same machine's clock as the web and worker's).
  const accepted: number[] = new Array(o.count).fill(NaN);
  let arrived = 0;
  let seen = 0;
  const collect = () => {
    const all = stack.mail.messages();
    if (all.length < seen) seen = 0; // cleared by someone: look at everything again
    for (const m of all.slice(seen)) {
      if (!/invited/i.test(m.subject)) continue;
      for (const to of m.to) {
        const i = index.get(to);
        if (i !== undefined && Number.isNaN(accepted[i])) {
          accepted[i] = ms(m.date);
          arrived++;
        }
      }
    }
    seen = all.length;
  };
  collect();

  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const started: number[] = new Array(o.count).fill(NaN);
  const answered: number[] = new Array(o.count).fill(NaN);
  const statuses = new Map<number | string, number>();
  let next = 0;
  const poster = async () => {
    for (let i = next++; i < o.count; i = next++) {
      started[i] = Date.now();
      let status: number | string;
      try {
        status = await post(agent, new URL(`/inbox/${seeded[i].id}/decision`, stack.appUrl), headers, body);
      } catch (err) {
        status = (err as Error).message;
      }
      answered[i] = Date.now();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const cpuBefore = b.cpu();
  const t0 = Date.now();
  const posting = Promise.all(Array.from({ length: o.connections }, poster));
  const poll = setInterval(collect, 100);
  await posting;
  const postsDone = Date.now();
  while (arrived < o.count && Date.now() - t0 < TIMEOUT_MS) await sleep(100);
  clearInterval(poll);
  collect();
  agent.destroy();
  const cpuAfter = b.cpu();
  const cpuPer = (k: 'web' | 'worker') => ((cpuAfter[k] - cpuBefore[k]) / Math.max(arrived, 1)).toFixed(1);

  const latencies: number[] = [];
  let last = t0;
  accepted.forEach((at, i) => {
    if (Number.isNaN(at)) return;
    latencies.push(at - started[i]);
    last = Math.max(last, at);
  });
  const perSecond = arrived / ((last - t0) / 1000);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const postLatency = started.map((s, i) => answered[i] - s);
  const unexpected = o.count - (statuses.get(303) ?? 0);

  const hops = await hopMedians(db, seeded, started, accepted, outboxBefore);

  const ceiling = await bullNoopCeiling({ redisUrl: stack.env.REDIS_URL, count: o.count, connections: o.connections });
  const ratio = perSecond / ceiling.perSecond;
  const mail = await mailFloor(stack, o.count);
  const figure: Row = {
    name: `3 approval → invitation mail (${o.label})`,
    figure: perSecond,
    unit: 'approvals/s',
    ceiling: ceiling.perSecond,
    ratio,
    p50,
    p99,
    target: '≥ 500/s, p50 < 50 ms, p99 < 250 ms',
    ok: arrived === o.count && unexpected === 0 && perSecond >= 500 && p50 < 50 && p99 < 250,
    notes:
      `${arrived} of ${o.count} invitation mails arrived within ${TIMEOUT_MS / 1000} s, ${o.connections} POSTs in flight` +
      `${unexpected ? `, ${unexpected} POSTs not answered 303 (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''}` +
      `${settled ? '' : ', earlier work had not drained after 180 s'}; ` +
      `POSTs took ${((postsDone - t0) / 1000).toFixed(1)} s (${Math.round(o.count / ((postsDone - t0) / 1000))}/s, p50 ${fmt(percentile(postLatency, 50))} ms, p99 ${fmt(percentile(postLatency, 99))} ms); ` +
      `median hops ${hops}; ` +
      `CPU per approval: web ${cpuPer('web')} ms, worker ${cpuPer('worker')} ms; ` +
      `ceiling: ${ceiling.completed} no-op jobs, p50 ${ceiling.p50.toFixed(1)} ms, p99 ${ceiling.p99.toFixed(1)} ms at ${o.connections} producers and worker concurrency ${o.connections}`,
  };
  return [
    figure,
    {
      name: `3 stack floor: the mail hop alone (${o.label})`,
      figure: mail.perSecond,
      unit: 'mails/s',
      ceiling: ceiling.perSecond,
      ratio: mail.perSecond / ceiling.perSecond,
      p50: mail.p50,
      p99: mail.p99,
      target: 'reference: the stack alone',
      ok: mail.sent === o.count,
      reference: true,
      notes: `${mail.sent} copies of an invitation mail through the product's pooled SMTP transport to the same catcher, nothing else running; p50/p99 are per message`,
    },
  ];
}

/**
 * Where the time goes, from what each hop wrote: POST start → decision committed (decided_at) →
 * relay published request.approved → provisioned (provision job) → relay published mail.send →
 * SMTP accepted (send-mail job). Medians per hop, in ms.
 */
async function hopMedians(db: Db, seeded: { id: number; email: string }[], started: number[], accepted: number[], outboxAfter: number): Promise<string> {
  const requests = new Map<number, { decided: number; provisioned: number }>();
  for (let i = 0; i < seeded.length; i += 500) {
    const ids = seeded.slice(i, i + 500).map((s) => s.id);
    for (const r of await db('access_requests').whereIn('id', ids).select('id', 'decided_at', 'provisioned_at')) {
      requests.set(Number(r.id), { decided: ms(r.decided_at), provisioned: ms(r.provisioned_at) });
    }
  }
  const outbox = await db('outbox').where('id', '>', outboxAfter).whereIn('topic', ['request.approved', 'mail.send']).select('topic', 'payload', 'published_at');
  const approvedPublished = new Map<number, number>();
  const mailPublished = new Map<number, number>();
  for (const row of outbox) {
    const p = JSON.parse(row.payload);
    if (row.topic === 'request.approved') approvedPublished.set(Number(p.requestId), ms(row.published_at));
    else mailPublished.set(Number(p.mailId), ms(row.published_at));
  }
  const mailOf = new Map<string, number>();
  for (let i = 0; i < seeded.length; i += 500) {
    const emails = seeded.slice(i, i + 500).map((s) => s.email);
    for (const m of await db('mail_messages').whereIn('to_address', emails).where('dedupe_key', 'like', 'invitation:%').select('id', 'to_address')) {
      mailOf.set(m.to_address, Number(m.id));
    }
  }
  const hop = { web: [] as number[], relay1: [] as number[], provision: [] as number[], relay2: [] as number[], send: [] as number[] };
  seeded.forEach((s, i) => {
    const r = requests.get(s.id);
    if (!r) return;
    const pub1 = approvedPublished.get(s.id) ?? NaN;
    const mailId = mailOf.get(s.email);
    const pub2 = mailId === undefined ? NaN : (mailPublished.get(mailId) ?? NaN);
    const add = (list: number[], v: number) => !Number.isNaN(v) && list.push(v);
    add(hop.web, r.decided - started[i]);
    add(hop.relay1, pub1 - r.decided);
    add(hop.provision, r.provisioned - pub1);
    add(hop.relay2, pub2 - r.provisioned);
    add(hop.send, accepted[i] - pub2);
  });
  const m = (l: number[]) => fmt(percentile(l, 50));
  return `POST→decided ${m(hop.web)} ms, →approval published ${m(hop.relay1)}, →provisioned ${m(hop.provision)}, →mail published ${m(hop.relay2)}, →SMTP accepted ${m(hop.send)}`;
}
