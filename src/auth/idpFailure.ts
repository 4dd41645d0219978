// What went wrong when talking to an identity provider, as one of a few fixed classes. Nothing the
// remote side wrote (its error text, its body, the issuer it claims) is ever part of the answer: an
// issuer URL pointed at an internal service must not read that service back to whoever asked.
import { AddressNotAllowed } from './guardedFetch.ts';

export type IdpFailure =
  | { kind: 'address-not-allowed' }
  | { kind: 'timed-out' }
  | { kind: 'could-not-connect' }
  | { kind: 'http-error'; status: number }
  | { kind: 'not-openid-configuration' }
  | { kind: 'issuer-mismatch' };

/** Discovery found a document whose `issuer` is not exactly the one configured (OIDC Discovery 4.3). */
export class IssuerMismatch extends Error {
  constructor() {
    super('issuer mismatch');
    this.name = 'IssuerMismatch';
  }
}

/** The configured issuer cannot be used as a discovery base (a query or fragment would choose the path). */
export class UnusableIssuer extends Error {
  constructor() {
    super('issuer URL not allowed');
    this.name = 'UnusableIssuer';
  }
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) out.push(e);
  return out;
}

/** Reads openid-client's (its error codes are oauth4webapi's), undici's and our own errors into a failure class. */
export function idpFailure(err: unknown): IdpFailure {
  const chain = causes(err);
  const codes = chain.map((e) => String((e as { code?: unknown }).code ?? ''));
  const names = chain.map((e) => String((e as { name?: unknown }).name ?? ''));
  if (chain.some((e) => e instanceof AddressNotAllowed || e instanceof UnusableIssuer) || codes.includes('OAUTH_HTTP_REQUEST_FORBIDDEN')) {
    return { kind: 'address-not-allowed' };
  }
  if (chain.some((e) => e instanceof IssuerMismatch) || codes.includes('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED')) return { kind: 'issuer-mismatch' };
  if (names.includes('TimeoutError') || codes.some((c) => c === 'OAUTH_TIMEOUT' || c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT')) {
    return { kind: 'timed-out' };
  }
  if (codes.includes('OAUTH_RESPONSE_IS_NOT_CONFORM')) {
    const response = chain.find((e) => typeof (e as { status?: unknown }).status === 'number') as { status: number } | undefined;
    return { kind: 'http-error', status: response?.status ?? 0 };
  }
  if (codes.some((c) => ['OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_PARSE_ERROR', 'OAUTH_INVALID_RESPONSE', 'UND_ERR_RES_EXCEEDED_MAX_SIZE'].includes(c)) || err instanceof SyntaxError) {
    return { kind: 'not-openid-configuration' };
  }
  return { kind: 'could-not-connect' };
}

/** The class in words, for logs and the audit log. */
export function describeFailure(f: IdpFailure): string {
  switch (f.kind) {
    case 'address-not-allowed':
      return 'address not allowed';
    case 'timed-out':
      return 'timed out';
    case 'could-not-connect':
      return 'could not connect';
    case 'http-error':
      return `HTTP error ${f.status}`;
    case 'not-openid-configuration':
      return 'not an OpenID provider configuration';
    case 'issuer-mismatch':
      return 'issuer mismatch';
  }
}
