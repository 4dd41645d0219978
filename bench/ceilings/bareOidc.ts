// Ceiling for figure 7 (app sign-ins): oidc-provider as its README would start it, on its own http
// server, with no Passerelle code: one confidential client, accounts from memory, the in-memory
// adapter of the demo issuers, and a loadExistingGrant that grants whatever is asked (the person has
// "consented" to everything). What it shares with Passerelle's provider is what makes the protocol
// cost the same: RS256 keys of the same size, pairwise subjects, the same scopes and claims in the ID
// token, a refresh token with every code, PKCE. Its one interaction signs `bench-<n>` in at once, so
// the benchmark can give each of its loops an OP session the way a browser gets one.
// CLIENT_ID, CLIENT_SECRET, REDIRECT_URI come from the benchmark; it prints "listening <port>".
import http from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider, { type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import { memoryAdapterFactory } from '../../src/demo/memoryAdapter.ts';
import { SCOPE_CLAIMS } from '../../src/domain/appAccess.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key: JWK = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter: memoryAdapterFactory(),
  jwks: { keys: [key] },
  clients: [
    {
      client_id: process.env.CLIENT_ID!,
      client_secret: process.env.CLIENT_SECRET!,
      redirect_uris: [process.env.REDIRECT_URI!],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      subject_type: 'pairwise',
    },
  ],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: { ...SCOPE_CLAIMS, openid: ['sub', 'acr', 'amr'] },
  scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
  subjectTypes: ['pairwise'],
  pairwiseIdentifier: async (_ctx, accountId, client) => createHash('sha256').update(`${accountId}:${client.clientId}`).digest('base64url'),
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  clientBasedCORS: () => false,
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 1800, Grant: 14 * 24 * 3600, RefreshToken: 14 * 24 * 3600, Session: 12 * 3600 },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@acme.test`, email_verified: true, name: `Bench ${sub}`, user_type: 'guest', idp: 'http://127.0.0.1/acme', groups: ['Project Atlas'] }),
  }),
  loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
    const { session, client } = ctx.oidc;
    if (!session?.accountId || !client) return undefined;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    const grant = (grantId && (await ctx.oidc.provider.Grant.find(grantId))) || new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    const asked = String(ctx.oidc.params?.scope ?? 'openid');
    const held = new Set((grant.getOIDCScope() ?? '').split(' '));
    if (!grant.jti || asked.split(' ').some((s) => !held.has(s))) {
      grant.addOIDCScope(asked);
      await grant.save();
    }
    return grant;
  },
});

let accounts = 0;
const callback = provider.callback();
server.on('request', (req, res) => {
  const uid = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1];
  if (!uid) return callback(req, res);
  // The sign-in a real OP would ask for, done at once: this browser is now bench-<n>.
  provider
    .interactionFinished(req, res, { login: { accountId: `bench-${++accounts}`, amr: ['fed'], acr: 'urn:bench:acr' } }, { mergeWithLastSubmission: false })
    .catch((err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
});
console.log(`listening ${port}`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
