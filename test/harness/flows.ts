// Steps of the main journey that several test files share.
import assert from 'node:assert/strict';
import type { Stack } from './stack.ts';
import { eventually } from './stack.ts';
import { Browser, type Page } from './browser.ts';

export async function catalogIds(stack: Stack, names: string[]): Promise<string[]> {
  const rows = await stack.db('catalog_items').whereIn('name', names).select('id');
  return rows.map((r) => String(r.id));
}

/** A partner signs in at their IdP and submits a request; returns the request id and the page. */
export async function submitAsPartner(
  stack: Stack,
  browser: Browser,
  slug: string,
  email: string,
  items: string[],
  justification = 'We co-develop the Atlas gearbox and need the shared specifications.',
): Promise<{ id: number; page: Page }> {
  await browser.signIn(stack.appUrl, slug, email);
  const form = await browser.go(`${stack.appUrl}/requests/new`);
  assert.equal(form.status, 200, form.text.slice(0, 500));
  const page = await browser.submit(form, '/requests', { items: await catalogIds(stack, items), justification });
  assert.equal(page.status, 200, page.text.slice(0, 500));
  const id = Number(/\/requests\/(\d+)/.exec(page.url)?.[1]);
  assert.ok(id > 0, `landed on ${page.url}`);
  return { id, page };
}

export async function waitUntilRouted(stack: Stack, id: number): Promise<void> {
  await eventually(`request ${id} routed`, async () => (await stack.db('access_requests').where({ id }).first())?.routed_at);
}

export async function decide(stack: Stack, browser: Browser, id: number, decision: 'approve' | 'deny', reason = ''): Promise<Page> {
  const page = await browser.go(`${stack.appUrl}/inbox/${id}`);
  if (page.status !== 200) return page;
  return browser.submit(page, `/inbox/${id}/decision`, { decision, reason });
}
