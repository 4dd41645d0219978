// `passerelle partner-wiki` (hidden; `npm start` runs it): the sample app in a process of its own, set
// up by the demo through the environment it is started with.
import { z } from 'zod';
import { ConfigError, processEnvironment } from '../config.ts';
import { startPartnerWiki } from './partnerWiki.ts';

export const PARTNER_WIKI_DEFAULT_PORT = 4300;

const schema = z.object({
  PARTNER_WIKI_PORT: z.coerce.number().int().min(1).max(65535).default(PARTNER_WIKI_DEFAULT_PORT),
  PARTNER_WIKI_ISSUER: z.string({ error: 'required: Passerelle’s issuer, such as http://127.0.0.1:3000/oidc' }).url('must be Passerelle’s issuer, such as http://127.0.0.1:3000/oidc'),
  PARTNER_WIKI_CLIENT_ID: z.string({ error: 'required: the client id Passerelle gave the app' }).min(1),
  PARTNER_WIKI_CLIENT_SECRET: z.string().optional(),
});

/** The wiki's port and address on this machine (PARTNER_WIKI_PORT, else 4300). */
export function partnerWikiAddress(env: Record<string, string | undefined>): { port: number; url: string } {
  const port = schema.shape.PARTNER_WIKI_PORT.safeParse(env.PARTNER_WIKI_PORT || undefined);
  if (!port.success) throw new ConfigError('Invalid configuration:\n  PARTNER_WIKI_PORT: must be a port number');
  return { port: port.data, url: `http://127.0.0.1:${port.data}` };
}

export async function runPartnerWiki(env: Record<string, string | undefined> = processEnvironment()): Promise<void> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  const { url } = partnerWikiAddress(env);
  let wiki;
  try {
    wiki = await startPartnerWiki({
      issuer: e.PARTNER_WIKI_ISSUER,
      clientId: e.PARTNER_WIKI_CLIENT_ID,
      clientSecret: e.PARTNER_WIKI_CLIENT_SECRET ?? null,
      url,
      port: e.PARTNER_WIKI_PORT,
      log: (line) => console.error(line),
    });
  } catch (err) {
    throw new Error(`Partner Wiki could not listen on ${url}: ${(err as Error).message}`);
  }
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      wiki.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}
