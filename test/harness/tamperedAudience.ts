// Makes a running demo issuer sign ID tokens for another audience. oidc-provider 9 always writes
// `aud` = the client's id (lib/models/id_token.js passes `audience: client.clientId` to its signer)
// and has no setting for it (the `audiences` helper of early versions is gone), so this wraps
// IdToken#issue: for ID tokens, the client it signs for answers another `clientId`. The token is
// still minted, signed with the issuer's own key and returned by its real token endpoint; only the
// audience (and, if asked, `azp`) differs.
import type { RunningIssuer } from '../../src/demo/idp.ts';

export type Audience = { aud: string | string[]; azp?: string } | null;

type IdTokenLike = { client: object; set(key: string, value: unknown): void };
type Issue = (this: IdTokenLike, options?: { use?: string }) => Promise<string>;

/** From now on, ID tokens of `issuer` carry `audience()` (null: the normal one). */
export function tamperAudience(issuer: RunningIssuer, audience: () => Audience): void {
  const proto = (issuer.provider.IdToken as unknown as { prototype: { issue: Issue } }).prototype;
  const issue = proto.issue;
  proto.issue = async function (this: IdTokenLike, options) {
    const wanted = audience();
    if (options?.use !== 'idtoken' || !wanted) return issue.call(this, options);
    const client = this.client;
    this.client = Object.create(client, { clientId: { value: wanted.aud } });
    if (wanted.azp) this.set('azp', wanted.azp);
    try {
      return await issue.call(this, options);
    } finally {
      this.client = client;
    }
  };
}
