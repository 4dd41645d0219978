// The demo's clock (issue 18: "the clock moved by a documented demo command"): `passerelle clock
// forward 15d`, run beside a running demo, moves the time its web and worker read, and the worker acts
// on what became due — here an invitation sent today expires unused. Every move is audited; `clock
// reset` puts the real time back; production refuses it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, eventually, type Stack } from '../harness/stack.ts';
import { buildCatalogItem, buildInvitation, systemContext } from '../harness/factories.ts';
import { Browser } from '../harness/browser.ts';
import { catalogIds, decide, waitUntilRouted } from '../harness/flows.ts';
import { auditEvents, guestByEmail, invitationsOf, requestRow } from '../harness/stored.ts';
import { now, setClockOffsetMs } from '../../src/domain/clock.ts';
import { moveDemoClock, parseClockMove } from '../../src/commands/moveDemoClock.ts';
import { enqueueUpkeep } from '../../src/queue/sweeper.ts';
import { JOBS } from '../../src/queue/queues.ts';

const exec = promisify(execFile);
const DAY = 86_400_000;
let stack: Stack;

before(async () => {
  // The sweep's own timer at its default (a minute): what becomes due when the clock moves is acted on
  // at once, not at the next sweep.
  stack = await startStack({ env: { JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '50' } });
});
after(async () => {
  setClockOffsetMs(0);
  await stack?.stop();
});

async function passerelle(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/passerelle.js', ...args], { env: { ...process.env, ...stack.env, ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('the demo clock', () => {
  test('moving it fifteen days forward expires an invitation sent today; reset brings the real time back', async () => {
    const vera = await buildInvitation(stack, { email: 'vera@clock.test' });
    await stack.mail.waitFor((m) => m.to.includes('vera@clock.test') && /\/redeem\//.test(m.text));

    const shown = await passerelle(['clock']);
    assert.equal(shown.code, 0, shown.out);
    assert.match(shown.out, /\(0 day\(s\) ahead\)/);

    // This interval's upkeep has run already, as it has in a demo running for a while.
    await enqueueUpkeep(stack.worker.queues, stack.config.sweepIntervalMs);
    await eventually('this interval’s upkeep ran', async () => (await stack.worker.queues[JOBS.upkeep].getCompletedCount()) >= 1);

    const moved = await passerelle(['clock', 'forward', '15d']);
    assert.equal(moved.code, 0, moved.out);
    assert.match(moved.out, /The demo clock reads \d{4}-\d\d-\d\d \d\d:\d\d UTC \(15 day\(s\) ahead\)\./);
    await eventually('the web and worker follow the moved clock', async () => Math.abs(now() - Date.now() - 15 * DAY) < 60_000);
    await eventually('the worker expired the invitation at once', async () => {
      const invitations = await invitationsOf(stack, vera.guestId);
      return invitations.length === 1 && invitations[0].status === 'expired';
    });
    const [event] = await auditEvents(stack, { action: 'clock.moved' });
    assert.equal(event.actor_type, 'system');
    assert.deepEqual(JSON.parse(event.details).changes, { offsetMs: [0, 15 * DAY] });

    const reset = await passerelle(['clock', 'reset']);
    assert.equal(reset.code, 0, reset.out);
    assert.match(reset.out, /\(0 day\(s\) ahead\)/);
    await eventually('the real time is back', async () => Math.abs(now() - Date.now()) < 60_000);
    assert.equal((await auditEvents(stack, { action: 'clock.moved' })).length, 2);
  });

  test('on a moved clock, the partner asks until a day of the moved calendar, the sponsor approves, and her access runs until that day', async () => {
    await buildCatalogItem(stack, { name: 'Clockwork Group', maxDays: 60 });
    const moved = await passerelle(['clock', 'forward', '30d']);
    assert.equal(moved.code, 0, moved.out);
    try {
      await eventually('the web follows the moved clock', async () => Math.abs(now() - Date.now() - 30 * DAY) < 60_000);
      const day = (offsetDays: number) => new Date(now() + offsetDays * DAY).toISOString().slice(0, 10);
      const paula = new Browser();
      await paula.signIn(stack.appUrl, 'acme', 'paula@acme.test');
      const form = await paula.go(`${stack.appUrl}/requests/new`);
      assert.ok(form.text.includes(`min="${day(1)}"`), 'the first day offered is tomorrow on the moved clock');
      const sent = await paula.submit(form, '/requests', { items: await catalogIds(stack, ['Clockwork Group']), justification: 'Gearbox tests in the clock room.', accessUntil: day(10) });
      assert.equal(sent.status, 200, sent.text.slice(0, 400));
      const id = Number(/\/requests\/(\d+)/.exec(sent.url)?.[1]);
      await waitUntilRouted(stack, id);
      const sam = new Browser();
      await sam.signIn(stack.appUrl, 'ours', 'sam.sponsor@passerelle.test');
      assert.equal((await decide(stack, sam, id, 'approve')).status, 200);
      await eventually('provisioned', async () => (await requestRow(stack, id))?.status === 'provisioned');
      const guestId = Number((await guestByEmail(stack, 'paula@acme.test')).id);
      const [membership] = await stack.db('memberships').where({ user_id: guestId });
      assert.ok(membership.expires_at > new Date(now()).toISOString(), `runs on the moved clock: ${membership.expires_at}`);
      assert.equal(membership.expires_at.slice(0, 10), day(10), 'through the day asked');
      // A sweep later it still runs (the worker reads the same clock).
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await auditEvents(stack, { action: 'membership.expired', target: `user:${guestId}` })).length, 0);
    } finally {
      assert.equal((await passerelle(['clock', 'reset'])).code, 0);
    }
  });

  test('a move it cannot read is a usage error that changes nothing; production refuses to move it', async () => {
    const bad = await passerelle(['clock', 'forward', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /Usage: passerelle clock \[forward 15d\|36h\|90m \| reset\]/);
    assert.equal(parseClockMove('36h'), 36 * 3_600_000);
    assert.equal(parseClockMove('90m'), 90 * 60_000);
    assert.equal(parseClockMove('-3d'), undefined);
    const events = (await auditEvents(stack, { action: 'clock.moved' })).length;
    await assert.rejects(moveDemoClock({ ...stack, config: { ...stack.config, env: 'production' } }, systemContext(), DAY), /invalid/i);
    assert.equal((await auditEvents(stack, { action: 'clock.moved' })).length, events, 'nothing recorded');
  });
});
