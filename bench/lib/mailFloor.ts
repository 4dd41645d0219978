// A reference for figure 3: the mail hop alone. The product's own SMTP transport (pooled, as many
// connections as send-mail jobs run at once) sends `count` copies of a real invitation mail to the
// same SMTP catcher, with nothing else running: no web, no queue, no database. Whatever the
// pipeline does besides, its rate cannot pass this one on the same machine.
import { loadConfig } from '../../src/config.ts';
import { createTransport, MAIL_CONCURRENCY } from '../../src/mail/transport.ts';
import type { Stack } from '../../test/harness/stack.ts';
import { percentile } from './load.ts';

export async function mailFloor(stack: Stack, count: number): Promise<{ perSecond: number; p50: number; p99: number; sent: number }> {
  const sample = [...stack.mail.messages()].reverse().find((m) => /invited/i.test(m.subject));
  if (!sample) throw new Error('no invitation mail to copy for the mail floor');
  const transport = createTransport(loadConfig(stack.env));
  const latencies: number[] = [];
  let next = 0;
  const t0 = Date.now();
  try {
    await Promise.all(
      Array.from({ length: MAIL_CONCURRENCY }, async () => {
        for (let i = next++; i < count; i = next++) {
          const start = Date.now();
          await transport.sendMail({ from: sample.from, to: `floor-${i}@acme.test`, subject: sample.subject, text: sample.text, html: sample.html ?? undefined });
          latencies.push(Date.now() - start);
        }
      }),
    );
  } finally {
    transport.close();
  }
  return { perSecond: latencies.length / ((Date.now() - t0) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), sent: latencies.length };
}
