import { benchStack } from './lib/stack.ts';
import { seedGuests, seedRequests } from './lib/data.ts';
import { Browser } from '../test/harness/browser.ts';
const b = await benchStack({ postgres: process.env.PG === '1' });
try {
  const { stack } = b;
  await seedRequests(stack.db, { count: 10000, approverEmail: 'sam.sponsor@passerelle.test', status: 'pending', itemNames: ['Partner Wiki'] });
  await seedGuests(stack.db, 1000);
  const sam = new Browser();
  await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
  await sam.go(`${stack.appUrl}/inbox`);
  // time queries in-process through a separate knex on same db, replaying what the web does:
  const db = stack.db;
  const times = new Map<string, number[]>();
  const starts = new Map<string, number>();
  db.on('query', (q: any) => starts.set(q.__knexQueryUid, performance.now()));
  db.on('query-response', (_r: any, q: any) => { const t = performance.now() - starts.get(q.__knexQueryUid)!; const k = q.sql.slice(0, 140); (times.get(k) ?? times.set(k, []).get(k)!).push(t); });
  const { listPendingForApprover, listDecidedForApprover } = await import('../src/db/requests.ts');
  const { findUserByIdentity } = await import('../src/db/users.ts');
  const sid = await db('sessions').first();
  const user = await db('users').where({ email: 'sam.sponsor@passerelle.test' }).first();
  console.log('user', user.id, user.issuer ?? '', Object.keys(sid ?? {}));
  for (let i = 0; i < 300; i++) {
    await db('sessions').where({ sid: sid.sid }).first();
    await listPendingForApprover(db, user.id);
    await listDecidedForApprover(db, user.id);
  }
  for (const [k, v] of times) { v.sort((a, b) => a - b); console.log(v.length, 'median', v[v.length >> 1].toFixed(3), 'ms', k); }
} finally { await b.stop(); }
