import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findIdpById, markIdpChanged } from '../../db/identityProviders.ts';
import { notFound } from '../../domain/errors.ts';
import { discoverIdp, discoveryUrl } from '../../auth/discovery.ts';
import { describeFailure, idpFailure, type IdpFailure } from '../../auth/idpFailure.ts';

export type Problem = { key: string; params?: Record<string, string | number> };
export type ConnectionReport = { ok: boolean; url: string; problems: Problem[] };

const FAILURE_KEYS: Record<IdpFailure['kind'], string> = {
  'address-not-allowed': 'idps.failure.addressNotAllowed',
  'timed-out': 'idps.failure.timedOut',
  'could-not-connect': 'idps.failure.couldNotConnect',
  'http-error': 'idps.failure.httpError',
  'not-openid-configuration': 'idps.failure.notConfiguration',
  'issuer-mismatch': 'idps.failure.issuerMismatch',
};

/**
 * Discovers the provider exactly as sign-in does and says, in fixed words, what would stop a
 * sign-in. What the provider answered is never shown: an issuer pointed at some internal service
 * must not read that service back to the admin. A test that works marks the row changed, so every
 * web process forgets a failed discovery of it and rebuilds its strategy; the test is audited.
 */
export async function testIdpConnection(deps: Deps, ctx: AuditContext, id: number): Promise<ConnectionReport> {
  const idp = await findIdpById(deps.db, id);
  if (!idp || idp.kind === 'email') throw notFound();
  let url = idp.issuer;
  try {
    url = discoveryUrl(idp.issuer);
  } catch {
    // Shown as given; discovery below reports it.
  }
  const problems: Problem[] = [];
  let failure: IdpFailure | null = null;
  try {
    const metadata = (await discoverIdp(deps.config, idp)).serverMetadata();
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint'] as const) {
      if (typeof metadata[field] !== 'string') problems.push({ key: 'idps.problem.missing', params: { field } });
    }
    const methods = metadata.code_challenge_methods_supported;
    if (Array.isArray(methods) && !methods.includes('S256')) problems.push({ key: 'idps.problem.noPkce' });
  } catch (err) {
    failure = idpFailure(err);
    problems.push({ key: FAILURE_KEYS[failure.kind], params: { url, status: failure.kind === 'http-error' ? failure.status : '' } });
  }
  const ok = problems.length === 0;
  await inTransaction(deps.db, async (trx) => {
    if (ok) await markIdpChanged(trx, id);
    await appendAudit(trx, ctx, {
      action: 'idp.tested',
      target: `idp:${idp.slug}`,
      outcome: ok ? 'success' : 'failure',
      details: failure ? { failure: describeFailure(failure) } : { problems: problems.map((p) => p.key) },
    });
  });
  return { ok, url, problems };
}
