// `passerelle app-client create | rotate-secret | list`: an application's Sign-in settings for
// automation. Output meant for scripts is on the last lines: the client id, then the secret.
import type { Deps } from './deps.ts';
import type { AuditContext } from './db/audit.ts';
import { listAllItems } from './db/catalog.ts';
import { findAppClientByItem, listAppClients } from './db/appClients.ts';
import type { CatalogItem } from './db/rows.ts';
import { saveAppClient } from './commands/admin/saveAppClient.ts';
import { rotateAppClientSecret } from './commands/admin/rotateAppClientSecret.ts';
import { appClientForm } from './web/forms/appClient.ts';
import { APP_CLAIMS } from './domain/model.ts';
import { AppError } from './domain/errors.ts';
import { t } from './i18n/t.ts';

const USAGE = `Usage:
  passerelle app-client create --item NAME --redirect-uri URI [--redirect-uri URI ...]
      [--post-logout-uri URI ...] [--backchannel-logout-uri URI] [--initiate-login-uri URI] [--public]
      [--claims ${APP_CLAIMS.join(',')}] [--groups "Group A,Group B"] [--no-assignment-required] [--allow-members]
  passerelle app-client rotate-secret --item NAME
  passerelle app-client list`;

const VALUED = ['item', 'redirect-uri', 'post-logout-uri', 'backchannel-logout-uri', 'initiate-login-uri', 'claims', 'groups'];
const FLAGS = ['public', 'no-assignment-required', 'allow-members'];

/** The form's field names as the options that fill them, for error messages. */
const OPTION_OF: Record<string, string> = {
  item: '--item',
  redirect_uris: '--redirect-uri',
  post_logout_redirect_uris: '--post-logout-uri',
  backchannel_logout_uri: '--backchannel-logout-uri',
  initiate_login_uri: '--initiate-login-uri',
  public_client: '--public',
  claims: '--claims',
  visible_group_ids: '--groups',
};

type Options = Map<string, string[]>;

/** `--name value`, `--name=value` (repeatable) and bare flags; null on anything else. */
function parseOptions(args: string[]): Options | null {
  const out: Options = new Map();
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]);
    if (!m) return null;
    const [, name, inline] = m;
    if (FLAGS.includes(name) && inline === undefined) {
      out.set(name, ['1']);
      continue;
    }
    if (!VALUED.includes(name)) return null;
    const value = inline ?? args[++i];
    if (value === undefined) return null;
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

const one = (o: Options, name: string) => o.get(name)?.at(-1);

function fail(fields: Record<string, string>, params: Record<string, string> = {}): number {
  for (const [field, key] of Object.entries(fields)) console.error(`${OPTION_OF[field] ?? field}: ${t(key, params)}`);
  return 1;
}

/** The item of this name: exactly, else ignoring case (people type catalog names as they say them). */
const byName = (items: CatalogItem[], name: string) =>
  items.find((i) => i.name === name) ?? items.find((i) => i.name.toLowerCase() === name.toLowerCase());

/** The app item `--item` names, with the whole catalog; else the exit code, after saying why. */
async function requiredApp(deps: Deps, o: Options): Promise<{ item: CatalogItem; items: CatalogItem[] } | { failed: number }> {
  const name = one(o, 'item');
  if (!name) {
    console.error(USAGE);
    return { failed: 2 };
  }
  const items = await listAllItems(deps.db);
  const item = byName(items, name);
  if (!item) return { failed: fail({ item: 'appClient.errors.unknownItem' }, { name }) };
  if (item.kind !== 'app') return { failed: fail({ item: 'appClient.notAnApp' }, { name }) };
  return { item, items };
}

async function create(deps: Deps, ctx: AuditContext, o: Options): Promise<number> {
  const app = await requiredApp(deps, o);
  if ('failed' in app) return app.failed;
  const { item } = app;
  if (await findAppClientByItem(deps.db, item.id)) return fail({ item: 'appClient.errors.exists' });
  const groupNames = (one(o, 'groups') ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  const groups = app.items.filter((i) => i.kind === 'group');
  const groupIds: string[] = [];
  for (const g of groupNames) {
    const found = byName(groups, g);
    if (!found) return fail({ visible_group_ids: 'appClient.errors.unknownGroupName' }, { name: g });
    groupIds.push(String(found.id));
  }
  const form = appClientForm({
    redirect_uris: o.get('redirect-uri') ?? [],
    post_logout_redirect_uris: o.get('post-logout-uri') ?? [],
    backchannel_logout_uri: one(o, 'backchannel-logout-uri'),
    initiate_login_uri: one(o, 'initiate-login-uri'),
    public_client: o.has('public') ? '1' : undefined,
    claims: one(o, 'claims') ?? APP_CLAIMS.join(','),
    visible_group_ids: groupIds,
    assignment_required: o.has('no-assignment-required') ? undefined : '1',
    allow_members: o.has('allow-members') ? '1' : undefined,
  });
  let saved;
  try {
    saved = await saveAppClient(deps, ctx, item.id, form);
  } catch (err) {
    if (err instanceof AppError && err.status === 400) return fail(Object.keys(err.fields).length ? err.fields : { item: err.message });
    throw err;
  }
  console.log(t('appClient.cli.created', { name: item.name }));
  console.log(t('appClient.cli.issuer', { issuer: `${deps.config.publicUrl}/oidc` }));
  if (saved.secret) {
    console.log(t('appClient.cli.idThenSecret'));
    console.log(saved.clientId);
    console.log(saved.secret);
  } else {
    console.log(t('appClient.cli.publicNoSecret'));
    console.log(saved.clientId);
  }
  return 0;
}

async function rotate(deps: Deps, ctx: AuditContext, o: Options): Promise<number> {
  const app = await requiredApp(deps, o);
  if ('failed' in app) return app.failed;
  const { item } = app;
  try {
    const { secret } = await rotateAppClientSecret(deps, ctx, item.id);
    console.log(t('appClient.cli.rotated', { name: item.name }));
    console.log(secret);
    return 0;
  } catch (err) {
    if (err instanceof AppError) return fail({ item: err.message });
    throw err;
  }
}

async function list(deps: Deps): Promise<number> {
  const rows = (await listAppClients(deps.db)).map((a) => [
    a.name,
    a.client.client_id,
    t(a.client.public_client ? 'appClient.cli.public' : 'appClient.cli.confidential'),
    t(a.client.assignment_required ? 'catalog.yes' : 'catalog.no'),
    a.client.redirect_uris.join(' '),
  ]);
  const header = ['appClient.cli.item', 'appClient.clientId', 'appClient.clientType', 'appClient.cli.assignmentRequired', 'appClient.redirectUris'].map((k) => t(k));
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  return 0;
}

export async function appClientCommand(deps: Deps, ctx: AuditContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const o = parseOptions(rest);
  if (o && sub === 'create') return create(deps, ctx, o);
  if (o && sub === 'rotate-secret') return rotate(deps, ctx, o);
  if (sub === 'list' && rest.length === 0) return list(deps);
  console.error(USAGE);
  return 2;
}
