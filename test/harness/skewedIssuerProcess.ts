// Child process of skewedIssuer.ts: a demo oidc-provider issuer living on a wrong clock. The clock
// module is imported first, so every time oidc-provider reads (iat, exp, nbf, code and session
// expiry, cookies) comes from the skewed clock, as on a real machine whose time is off.
import { setClockOffset } from './shiftedClock.ts';
import { startDemoIssuer, type DemoIssuerSpec } from '../../src/demo/idp.ts';

export interface SkewSettings {
  /** How far the IdP's clock is ahead of ours (negative: behind). */
  clockOffsetSeconds: number;
  /** Lifetime of the ID tokens it signs, counted on its own clock; negative: expired when signed. */
  idTokenTtlSeconds: number;
}

type IdTokenClass = { expiresIn: () => number; prototype: { payload(): Promise<Record<string, unknown>> } };

const spec = JSON.parse(process.env.SKEWED_ISSUER_SPEC ?? 'null') as DemoIssuerSpec | null;
if (!spec || !process.send) throw new Error('skewedIssuerProcess: start it with fork() and SKEWED_ISSUER_SPEC');

let settings: SkewSettings = { clockOffsetSeconds: 0, idTokenTtlSeconds: 60 };
const apply = (s: SkewSettings) => {
  settings = s;
  setClockOffset(s.clockOffsetSeconds);
};

const issuer = await startDemoIssuer(spec);
const IdToken = issuer.provider.IdToken as unknown as IdTokenClass;
// The demo issuer signs hour-long ID tokens without `nbf`; with those, a clock 90 s off changes no
// check an RP can make. Many IdPs (Entra ID among them) sign short-lived ID tokens that carry `nbf`,
// and then the skew shows: a clock ahead puts `nbf` in our future, a clock behind puts `exp` in our
// past. This issuer does the same, so the leeway is what decides.
Object.defineProperty(IdToken, 'expiresIn', { value: () => settings.idTokenTtlSeconds, configurable: true });
const payload = IdToken.prototype.payload;
IdToken.prototype.payload = async function (this: unknown) {
  return { ...(await payload.call(this)), nbf: Math.floor(Date.now() / 1000) };
};

process.on('message', (m: SkewSettings) => {
  apply(m);
  process.send!({ applied: settings, now: Date.now() });
});
// The test that started this process is gone: nothing to serve any more.
process.on('disconnect', () => {
  void issuer.close().finally(() => process.exit(0));
});
process.send({ issuer: issuer.issuer, port: issuer.port });
