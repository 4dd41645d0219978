// Builds the Express app from its parts; no logic lives here.
import path from 'node:path';
import express from 'express';
import { Passport } from 'passport';
import type { Logger } from 'pino';
import type { RedisClientType } from 'redis';
import type { Deps } from '../deps.ts';
import { t } from '../i18n/t.ts';
import { formatters } from '../i18n/format.ts';
import { localeMiddleware } from './middleware/locale.ts';
import { languageRoutes } from './routes/language.ts';
import { requestId } from './middleware/requestContext.ts';
import { noStoreButStatic, providerPageHeaders, securityHeaders } from './middleware/headers.ts';
import { bodyGuard } from './middleware/bodyGuard.ts';
import { sessionMiddleware } from './middleware/session.ts';
import { principalFromSession } from './middleware/principal.ts';
import { csrfLocals } from './middleware/csrf.ts';
import { errorHandler, notFoundHandler } from './middleware/errors.ts';
import { allOf, byAccount, limiter } from './middleware/rateLimit.ts';
import { authRoutes } from './routes/auth.ts';
import { partnerRoutes } from './routes/partner.ts';
import { leaveRoutes } from './routes/leave.ts';
import { extendRoutes } from './routes/extend.ts';
import { sponsorRoutes } from './routes/sponsor.ts';
import { redeemRoutes } from './routes/redeem.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { ownerRoutes } from './routes/owner.ts';
import { reviewNavLocals, reviewRoutes } from './routes/reviews.ts';
import { StrategyRegistry } from '../auth/strategies.ts';
import type { PassportStatic } from 'passport';
import type { Queues } from '../queue/queues.ts';
import { apiRouter } from '../api/router.ts';
import { apiDocsRoutes } from './routes/apiDocs.ts';
import { projectRoot } from '../paths.ts';
import { OidcMount } from '../oidc/mount.ts';
import { needsPasserelleSession, OIDC_PATH } from '../oidc/provider.ts';
import { appSignInRoutes } from './routes/appSignIn.ts';

export interface Limits {
  signInPerMinute: number;
  submitPerMinute: number;
  redeemPerMinute: number;
  apiPerMinute: number;
}

export function buildApp(deps: Deps, redis: RedisClientType, queues: Queues, log: Logger, limits: Limits): express.Express {
  const { config, db } = deps;
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  // Express caches compiled views only when NODE_ENV=production; compiling the page and its partials
  // again on every request is only worth it while someone edits templates.
  app.set('view cache', config.env !== 'development');
  app.disable('x-powered-by');
  // What a page rendered before the person's language is known (an early error) speaks.
  app.locals.t = t;
  app.locals.lang = 'en';
  app.locals.fmt = formatters('en');

  app.use(requestId);
  app.use(securityHeaders(config));
  app.use(noStoreButStatic);
  app.use('/static', express.static(path.join(projectRoot, 'public'), { maxAge: '1h', index: false }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // The Graph-shaped API: bearer tokens, JSON, no session and no CSRF. Limited per client address
  // before the token is checked, and per API client after.
  app.use(
    apiRouter(
      deps,
      log,
      limiter(config, redis, 'api', limits.apiPerMinute, log),
      limiter(config, redis, 'api-client', limits.apiPerMinute, log, (req) => (req.apiClient ? String(req.apiClient.id) : undefined)),
    ),
  );

  // The applications' OpenID Provider: only its authorization and sign-out requests are a person's
  // browser at Passerelle; the apps' own calls (token, userinfo, keys, discovery) skip the session.
  const oidc = new OidcMount(deps, log);
  app.use(OIDC_PATH, (req, res, next) => (needsPasserelleSession(req.path) ? next() : oidc.handler(req, res, next)));

  app.use(sessionMiddleware(config, db));
  // One Passport per app: nothing about sessions or strategies is shared through module state.
  const passport = new Passport() as unknown as PassportStatic;
  const strategies = new StrategyRegistry(passport, deps);
  app.use(principalFromSession(deps, passport));
  app.use(localeMiddleware(db));

  // The rest reads its own bodies, and knows who is signed in here.
  app.use(OIDC_PATH, providerPageHeaders, oidc.handler);

  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));
  app.use(bodyGuard);
  app.use(csrfLocals);
  // Whether the navigation shows "Access reviews" (a member with rows to review).
  app.use(reviewNavLocals(deps));

  const perMinute = (name: string, n: number) => limiter(config, redis, name, n, log);
  app.use(languageRoutes(deps));
  app.use(authRoutes(deps, strategies, log, perMinute('signin', limits.signInPerMinute), oidc));
  app.use(partnerRoutes(deps, allOf(perMinute('submit', limits.submitPerMinute), limiter(config, redis, 'submit-account', limits.submitPerMinute, log, byAccount))));
  app.use(leaveRoutes(deps, oidc));
  app.use(extendRoutes(deps));
  app.use(sponsorRoutes(deps));
  app.use(redeemRoutes(deps, allOf(perMinute('redeem', limits.redeemPerMinute), limiter(config, redis, 'redeem-account', limits.redeemPerMinute, log, byAccount))));
  app.use(adminRoutes(deps, queues));
  app.use(invitationRoutes(deps));
  app.use(ownerRoutes(deps));
  app.use(reviewRoutes(deps));
  app.use(apiDocsRoutes(deps));
  app.use(appSignInRoutes(deps, oidc));

  app.use(notFoundHandler);
  app.use(errorHandler(log, db, Math.max(1, Math.round(config.invitationTtlHours / 24))));
  return app;
}
