// The relying party's side of figure 7, run from the benchmark's own process: an app written with
// openid-client signs in a person whose browser already holds the OP's session (and, at Passerelle,
// Passerelle's) and whose consent is on record. One sign-in is the whole of it: the authorization
// request answered 303 with a code at once, the code exchanged (client_secret_basic, PKCE, the ID
// token's signature, nonce and state checked by openid-client), and userinfo fetched. Each loop keeps
// one person's cookies; `loops` of them run at once, bounded by time and by count.
import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { percentile } from './load.ts';

const SCOPE = 'openid email profile groups';

export interface SignInRun {
  /** Completed sign-ins per second, over the wall time of the run. */
  perSecond: number;
  p50: number;
  p99: number;
  completed: number;
  /** Sign-ins that did not end with userinfo answered (a page instead of a code, an error). */
  unexpected: number;
  firstError?: string;
  /** Medians of each step (ms): authorization request, code exchange, userinfo. */
  steps: { authorize: number; token: number; userinfo: number };
  wallMs: number;
  /** CPU this process spent as the relying party (ms), for the notes. */
  rpCpuMs: number;
}

/** The app's view of an OP, from its discovery document (http on 127.0.0.1 allowed). */
export function discover(issuer: string, clientId: string, secret: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
}

/** One sign-in; throws when any step is not what an app signing in a known person gets. */
export async function signInOnce(config: oidc.Configuration, cookie: string, redirectUri: string): Promise<{ total: number; authorize: number; token: number; userinfo: number }> {
  const t0 = performance.now();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location') ?? '';
  if (res.status !== 303 || !location.startsWith(redirectUri)) throw new Error(`authorization answered ${res.status} ${location.slice(0, 120)}`);
  const t1 = performance.now();
  const tokens = await oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const t2 = performance.now();
  const sub = tokens.claims()!.sub;
  const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
  if (!info.email) throw new Error('userinfo without the e-mail');
  const t3 = performance.now();
  return { total: t3 - t0, authorize: t1 - t0, token: t2 - t1, userinfo: t3 - t2 };
}

/** `cookies.length` loops at once, each signing its person in again and again, until `seconds` or `maxCount`. */
export async function signInLoop(o: { config: oidc.Configuration; cookies: string[]; redirectUri: string; seconds: number; maxCount: number }): Promise<SignInRun> {
  const totals: number[] = [];
  const steps = { authorize: [] as number[], token: [] as number[], userinfo: [] as number[] };
  let unexpected = 0;
  let firstError: string | undefined;
  let started = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + o.seconds * 1000;
  await Promise.all(
    o.cookies.map(async (cookie) => {
      while (performance.now() < until && started < o.maxCount) {
        started++;
        try {
          const r = await signInOnce(o.config, cookie, o.redirectUri);
          totals.push(r.total);
          steps.authorize.push(r.authorize);
          steps.token.push(r.token);
          steps.userinfo.push(r.userinfo);
        } catch (err) {
          unexpected++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    perSecond: totals.length / (wallMs / 1000),
    p50: percentile(totals, 50),
    p99: percentile(totals, 99),
    completed: totals.length,
    unexpected,
    firstError,
    steps: { authorize: percentile(steps.authorize, 50), token: percentile(steps.token, 50), userinfo: percentile(steps.userinfo, 50) },
    wallMs,
    rpCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Cookies kept by name only (one origin, one person): enough to walk the bare OP's sign-in. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(eq + 1));
    }
  }

  header(only?: (name: string) => boolean): string {
    return [...this.cookies].filter(([n]) => !only || only(n)).map(([n, v]) => `${n}=${v}`).join('; ');
  }
}
