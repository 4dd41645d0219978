import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Deps } from '../../deps.ts';
import { findIdpBySlug, findIdpForDomain, listEnabledIdps } from '../../db/identityProviders.ts';
import type { StrategyRegistry, VerifiedSignIn } from '../../auth/strategies.ts';
import { describeFailure, idpFailure } from '../../auth/idpFailure.ts';
import { signIn } from '../../commands/signIn.ts';
import { AppError, invalid, notFound } from '../../domain/errors.ts';
import { consumeCode } from '../../commands/consumeCode.ts';
import { requestCode } from '../../commands/requestCode.ts';
import { emailDomain, type Principal } from '../../domain/principal.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { render, safeReturnTo } from '../render.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { recordSignInFailure, type SignInFailure } from '../../commands/recordSignInFailure.ts';
import { signOut } from '../../commands/signOut.ts';
import type { OidcMount } from '../../oidc/mount.ts';
import { RateLimited, type Limiter } from '../middleware/rateLimit.ts';

const EMAIL_CODE_SLUG = 'email-code';

type AuthSession = { returnTo?: string; loginHint?: string; redeemHash?: string };

// What survives the session regeneration at sign-in (the id changes; these few values are carried over).
const CARRIED = ['returnTo', 'redeemHash'] as const;

export function landingFor(p: Principal): string {
  if (p.idpKind === 'home') return p.role === 'admin' ? '/admin' : '/inbox';
  if (p.userType === 'guest') return '/access';
  // A partner whose sign-in did not prove her address lands on why she cannot ask, and what to do.
  if (!p.emailVerified) return '/requests/new';
  return '/requests';
}

/** Logs the principal in on a fresh session id and sends them where they were going. */
export function completeSignIn(req: Request, res: Response, next: NextFunction, principal: Principal): void {
  const carried = Object.fromEntries(CARRIED.map((k) => [k, (req.session as AuthSession)[k]]));
  // passport regenerates the session id here, so a cookie planted before sign-in is worthless.
  req.logIn(principal, (loginErr) => {
    if (loginErr) return next(loginErr);
    Object.assign(req.session, carried);
    const to = safeReturnTo(carried.returnTo) ?? landingFor(principal);
    delete (req.session as AuthSession).returnTo;
    req.session.save(() => res.redirect(303, to));
  });
}

export async function homePage(deps: Deps, req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
  const idps = await listEnabledIdps(deps.db);
  render(req, res, 'home', {
    title: 'home.title',
    partnerIdps: idps.filter((i) => i.kind !== 'home'),
    homeIdps: idps.filter((i) => i.kind === 'home'),
    notice: req.query.signedOut ? { key: 'auth.signedOut' } : req.query.signIn ? { key: 'errors.signInRequired' } : null,
    ...extra,
  }, status);
}

/**
 * Why a callback failed, for the audit log. openid-client reports a failed check under a summary
 * ("invalid response encountered") with the check itself as the cause (the state, the issuer, `aud`,
 * `exp`...), and an IdP's refusal as an OAuth error code (`invalid_grant` for a spent, foreign or
 * PKCE-mismatched code); an investigation needs all three. What the IdP or the browser wrote
 * (`error`, `error_description`) is anyone's text: it is kept apart, marked as remote, cleaned and short.
 */
function failureReason(err: unknown, info?: { message?: string; error?: unknown }): SignInFailure {
  // openid-client turns an `access_denied` callback into a plain failure whose message is the remote text.
  if (!err && typeof info?.error === 'string') return failureReason({ ...info, name: 'AuthorizationResponseError' });
  if (!err) return { error: (info?.message ?? 'state or verifier missing').slice(0, 200) };
  const e = err as { message?: unknown; cause?: unknown; error?: unknown; error_description?: unknown; code?: unknown; name?: unknown };
  // An error the IdP (or whoever wrote the callback URL) sent may carry its own text as the message.
  const parts = [typeof e.error === 'string' ? String(e.code ?? e.name ?? 'OAuth error response') : String(e.message)];
  // An OAuth error code is from a fixed vocabulary (RFC 6749 §5.2): well-formed, it names the failure.
  if (typeof e.error === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(e.error)) parts.push(e.error);
  if (e.cause instanceof Error && e.cause.message !== e.message) parts.push(e.cause.message);
  const remote = {
    ...(typeof e.error === 'string' && { error: remoteText(e.error, 64) }),
    ...(typeof e.error_description === 'string' && { description: remoteText(e.error_description, 200) }),
  };
  return { error: parts.join(': ').slice(0, 300), ...(Object.keys(remote).length > 0 && { remote }) };
}

/** Another party's free text as it may enter the log: one line of printable characters, bounded. */
const remoteText = (s: string, max: number) => s.replace(/[\p{C}]+/gu, ' ').trim().slice(0, max);

const discoverSchema = z.object({ email: z.string().trim().toLowerCase().email().max(320) });

/** The address typed into the sign-in form, read as discovery reads it; undefined when there is none. */
export function typedEmail(req: Request): string | undefined {
  const parsed = discoverSchema.safeParse(req.body ?? {});
  return parsed.success ? parsed.data.email : undefined;
}

/**
 * Audits a limit's refusals: once per key and window (the request that first goes over), so a
 * flood is on record without flooding the audit log as well.
 */
function auditedLimit(deps: Deps, limit: RequestHandler, reason: string): RequestHandler {
  return (req, res, next) =>
    limit(req, res, (err?: unknown) => {
      const count = (req as { rateLimit?: { used: number; limit: number } }).rateLimit;
      if (!(err instanceof AppError && err.status === 429) || !count || count.used !== count.limit + 1) return next(err);
      // Audited here with the typed address; the error handler need not record it again.
      if (err instanceof RateLimited) err.firstInWindow = false;
      recordRefusal(deps.db, auditContext(req), 'auth.sign_in', `email:${typedEmail(req)}`, reason).then(() => next(err), next);
    });
}

export function authRoutes(deps: Deps, strategies: StrategyRegistry, log: Logger, signInLimit: Limiter, oidc: OidcMount): Router {
  const { passport } = strategies;
  const r = Router();
  // The same limit again, per typed address whatever client sends it: one account cannot be
  // hammered from many addresses. The address is hashed before it becomes part of a Redis key.
  const accountLimit = auditedLimit(deps, signInLimit.alsoBy('signin-account', typedEmail), 'rate limit per account');

  r.get('/', (req, res) => homePage(deps, req, res));

  // Over the per-account limit, the handler decides: someone sent to their IdP is refused (a stranger
  // typing their address can only delay the e-mail form, never the "Continue with" buttons), but a
  // mailbox's owner is shown the code form, since the codes strangers asked for sit in her mailbox.
  const accountLimitNoted: RequestHandler = (req, res, next) =>
    accountLimit(req, res, (err?: unknown) => {
      if (err instanceof AppError && err.status === 429) {
        res.locals.accountLimited = err;
        return next();
      }
      next(err);
    });

  r.post('/auth/discover', signInLimit, csrfProtection, accountLimitNoted, async (req, res) => {
    const parsed = discoverSchema.safeParse(req.body);
    if (!parsed.success) {
      return homePage(deps, req, res, { fields: { email: 'home.emailInvalid' }, values: { email: String(req.body?.email ?? '').slice(0, 320) } }, 400);
    }
    const domain = emailDomain(parsed.data.email);
    const idp = await findIdpForDomain(deps.db, domain);
    if (!idp) {
      // No IdP serves this domain: a one-time code by e-mail, when that is switched on.
      const emailCode = await findIdpBySlug(deps.db, EMAIL_CODE_SLUG);
      if (!emailCode?.enabled) {
        return homePage(deps, req, res, { notice: { key: 'auth.unknownDomain', params: { domain } }, values: parsed.data }, 404);
      }
      const codeForm = (notice: string | null, status: number) =>
        render(req, res, 'auth/code', { title: 'otp.title', email: parsed.data.email, code: '', notice: notice && { key: notice } }, status);
      if (res.locals.accountLimited) return codeForm('otp.tooManyUseNewest', 429);
      try {
        await requestCode(deps, auditContext(req), parsed.data.email, req.lang);
      } catch (err) {
        // Refused a new code: the form still takes the newest one she was sent.
        if (err instanceof AppError && err.status === 429) return codeForm(err.message, 429);
        throw err;
      }
      return codeForm(null, 200);
    }
    if (res.locals.accountLimited) throw res.locals.accountLimited;
    (req.session as AuthSession).loginHint = parsed.data.email;
    // Not a redirect: browsers apply the form's CSP form-action to every redirect after a submit,
    // so a 303 here would be blocked at the IdP's authorization endpoint unless that origin were
    // listed on the page the form came from (which may be older than the IdP). A page that moves on
    // by itself (Refresh, no script; the link for anyone whose browser does not) is a new navigation.
    const next = `/auth/${idp.slug}`;
    res.setHeader('Refresh', `0;url=${next}`);
    render(req, res, 'auth/continue', { title: 'auth.continuingTitle', titleParams: { name: idp.name }, idpName: idp.name, next });
  });

  async function strategyOr503(req: Request, res: Response): Promise<string | null> {
    const slug = String(req.params.slug);
    const idp = /^[a-z0-9-]{1,64}$/.test(slug) ? await findIdpBySlug(deps.db, slug) : undefined;
    if (!idp || !idp.enabled) throw notFound();
    try {
      return await strategies.ensure(idp);
    } catch (err) {
      // The class only: the IdP's own words (or whatever answered in its place) stay out of the log.
      log.warn({ failure: describeFailure(idpFailure(err)), idp: idp.slug, reqId: req.id }, 'identity provider discovery failed');
      render(req, res, 'error', { title: 'errors.title', message: 'auth.idpUnavailable', params: { name: idp.name } }, 503);
      return null;
    }
  }

  r.get('/auth/:slug', signInLimit, async (req, res, next) => {
    const name = await strategyOr503(req, res);
    if (!name) return;
    const returnTo = safeReturnTo(req.query.returnTo);
    if (returnTo) (req.session as AuthSession).returnTo = returnTo;
    // The strategy keeps its state and PKCE verifier in the session and redirects to the IdP; the
    // session is saved before that redirect leaves (express-session would save after the headers),
    // so an IdP that answers at once never comes back to a session without them.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      req.session.save(() => end(...args));
      return res;
    }) as typeof res.end;
    passport.authenticate(name)(req, res, next);
  });

  r.get('/auth/:slug/callback', signInLimit, async (req, res, next) => {
    const name = await strategyOr503(req, res);
    if (!name) return;
    passport.authenticate(name, async (err: unknown, verified: VerifiedSignIn | false, info?: { message?: string; error?: unknown }) => {
      try {
        if (err || !verified) {
          const reason = failureReason(err, info);
          log.info({ reqId: req.id, err: reason.error }, 'sign-in failed');
          await recordSignInFailure(deps, auditContext(req), String(req.params.slug), reason);
          const unavailable = err && /timed out|fetch failed|ECONNREFUSED|aborted/i.test(String((err as Error).message));
          return render(req, res, 'error', { title: 'errors.title', message: unavailable ? 'auth.idpUnavailable' : 'auth.failed', params: { name: req.params.slug } }, unavailable ? 502 : 401);
        }
        const principal = await signIn(deps, auditContext(req), verified.idp, verified.claims);
        completeSignIn(req, res, next, principal);
      } catch (e) {
        next(e);
      }
    })(req, res, next);
  });

  const codeSchema = z.object({ email: z.string().trim().toLowerCase().email().max(320), code: z.string().trim().max(64).default('') });
  // A mail scanner may open the link in the code mail: the GET only shows the form, the POST signs in.
  r.get('/auth/email-code/verify', signInLimit, (req, res) => {
    const parsed = codeSchema.safeParse(req.query);
    if (!parsed.success) throw invalid('otp.invalid');
    render(req, res, 'auth/code', { title: 'otp.confirmTitle', email: parsed.data.email, code: parsed.data.code, confirm: true });
  });
  r.post('/auth/email-code/verify', signInLimit, csrfProtection, async (req, res, next) => {
    const parsed = codeSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid('otp.invalid');
    const idp = await findIdpBySlug(deps.db, EMAIL_CODE_SLUG);
    if (!idp?.enabled) throw notFound('otp.disabled');
    let email: string;
    try {
      email = await consumeCode(deps, auditContext(req), parsed.data.email, parsed.data.code, req.lang);
    } catch (err) {
      // The right code, retired by strangers' wrong ones: a new one is on its way; the form waits for it.
      if (!(err instanceof AppError && err.code === 'code_retired')) throw err;
      return render(req, res, 'auth/code', { title: 'otp.title', email: parsed.data.email, code: '', notice: { key: err.message } }, err.status);
    }
    const principal = await signIn(deps, auditContext(req), idp, {
      issuer: idp.issuer,
      subject: email,
      email,
      emailVerified: true, // whoever holds the code reads this mailbox
      name: email.split('@')[0],
    });
    completeSignIn(req, res, next, principal);
  });

  r.post('/auth/logout', csrfProtection, async (req: Request, res: Response, next: NextFunction) => {
    const p = principalOf(req);
    if (p) {
      const apps = p.userId ? await oidc.endBrowserSession(req, res, p.userId) : [];
      await signOut(deps, auditContext(req), p.userId ? { userId: p.userId, apps } : null);
    }
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie(deps.config.secureCookies ? '__Host-passerelle' : 'passerelle.sid', { path: '/' });
        res.redirect(303, '/?signedOut=1');
      });
    });
  });

  return r;
}
