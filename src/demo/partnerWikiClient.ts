// The demo's Partner Wiki signs in through Passerelle as any registered application does: the catalog
// item "Partner Wiki" gets its Sign-in settings through the same command an admin's click runs
// (validated and audited). The client secret is shown once, so the demo keeps it in var/ (mode 0600,
// git-ignored) and reuses it across restarts; when the file is missing or no longer matches what the
// database holds (a new database, a secret rotated in the console), the secret is rotated and kept anew.
import fs from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import { listAllItems } from '../db/catalog.ts';
import { findAppClientByItem, findAppClientWithSecret, type AppClientSettings } from '../db/appClients.ts';
import { APP_CLAIMS } from '../domain/model.ts';
import { saveAppClient } from '../commands/admin/saveAppClient.ts';
import { rotateAppClientSecret } from '../commands/admin/rotateAppClientSecret.ts';
import { openClientSecret } from '../oidc/clientSecret.ts';

export const PARTNER_WIKI = 'Partner Wiki';

const CTX: AuditContext = { actor: { type: 'system', id: 'system:demo', label: null }, ip: null, correlationId: 'demo' };

export interface PartnerWikiClient {
  clientId: string;
  /** null when an admin made the client public (it then signs in with PKCE alone). */
  secret: string | null;
  /** What the demo did: registered the app, gave it a new secret, or found everything in place. */
  outcome: 'registered' | 'rotated' | 'kept';
  /** Settings an admin changed that keep the wiki at `wikiUrl` from signing in. */
  warnings: string[];
}

/** The Sign-in settings the wiki needs, at the address it listens on; every group of the catalog visible. */
export function partnerWikiSettings(wikiUrl: string, groupIds: number[]): AppClientSettings {
  return {
    public_client: false,
    redirect_uris: [`${wikiUrl}/callback`],
    post_logout_redirect_uris: [`${wikiUrl}/`],
    backchannel_logout_uri: `${wikiUrl}/backchannel-logout`,
    initiate_login_uri: `${wikiUrl}/login`,
    claims: [...APP_CLAIMS],
    visible_group_ids: groupIds,
    assignment_required: true,
    allow_members: false,
  };
}

function readKept(file: string): { clientId: string; secret: string } | undefined {
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { clientId?: unknown; secret?: unknown };
    return typeof kept.clientId === 'string' && typeof kept.secret === 'string' ? { clientId: kept.clientId, secret: kept.secret } : undefined;
  } catch {
    return undefined;
  }
}

function keep(file: string, client: { clientId: string; secret: string | null }): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify({ clientId: client.clientId, secret: client.secret }, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** Whether the kept secret is the one the database holds for this client. */
async function stillValid(deps: Deps, clientId: string, secret: string): Promise<boolean> {
  const stored = await findAppClientWithSecret(deps.db, clientId);
  if (!stored?.secret_encrypted) return false;
  try {
    return openClientSecret(deps.config, clientId, stored.secret_encrypted) === secret;
  } catch {
    return false; // sealed under another OIDC_SECRET_KEY
  }
}

/**
 * Registers Partner Wiki's sign-in if it has none, and returns a client id and secret that work now;
 * null when an admin renamed or removed the app in the catalog (the demo then runs without the wiki).
 */
export async function registerPartnerWiki(deps: Deps, wikiUrl: string, file: string): Promise<PartnerWikiClient | null> {
  const items = await listAllItems(deps.db);
  const item = items.find((i) => i.kind === 'app' && i.name === PARTNER_WIKI);
  if (!item) return null;
  const existing = await findAppClientByItem(deps.db, item.id);

  if (!existing) {
    const settings = partnerWikiSettings(wikiUrl, items.filter((i) => i.kind === 'group').map((i) => i.id));
    const saved = await saveAppClient(deps, CTX, item.id, { value: settings, partial: settings, fields: {} });
    keep(file, saved);
    return { clientId: saved.clientId, secret: saved.secret, outcome: 'registered', warnings: [] };
  }

  const warnings = existing.redirect_uris.includes(`${wikiUrl}/callback`)
    ? []
    : [`${PARTNER_WIKI}'s redirect URIs (${existing.redirect_uris.join(', ')}) do not include ${wikiUrl}/callback: the sample app cannot sign in until an admin adds it (Administration → Catalog → ${PARTNER_WIKI} → Sign-in).`];
  if (existing.public_client) {
    keep(file, { clientId: existing.client_id, secret: null });
    return { clientId: existing.client_id, secret: null, outcome: 'kept', warnings };
  }
  const kept = readKept(file);
  if (kept?.clientId === existing.client_id && (await stillValid(deps, kept.clientId, kept.secret))) {
    return { ...kept, outcome: 'kept', warnings };
  }
  const rotated = await rotateAppClientSecret(deps, CTX, item.id);
  keep(file, rotated);
  return { ...rotated, outcome: 'rotated', warnings };
}
