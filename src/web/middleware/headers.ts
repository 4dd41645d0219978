// The headers every answer of the web carries: what the browser may load and where it may send forms,
// and that no browser or proxy keeps a copy of a page.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../../config.ts';

export function securityHeaders(config: Config): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        // Browsers apply form-action to the redirects after a submit too: no form of ours redirects
        // off-site (home-realm discovery answers a page that moves on by itself, routes/auth.ts).
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': config.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: config.secureCookies,
    // Links out of our pages (and the redeem page's token in its URL) never travel in a Referer.
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
  });
}

/** Pages carry personal data and CSRF tokens: no browser or proxy keeps a copy. Only /static may be cached. */
export function noStoreButStatic(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith('/static/')) res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * oidc-provider's own pages end in the application's origin: the sign-out confirmation posts to the
 * provider, which sends the browser on to the app's registered post-logout URI, and response_mode
 * form_post is a form to the app. Browsers hold such a chain to the form page's form-action, so the
 * provider's answers carry the same policy without that one directive.
 */
export function providerPageHeaders(_req: Request, res: Response, next: NextFunction): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') {
    res.setHeader('Content-Security-Policy', csp.split(';').filter((d) => !/^\s*form-action\b/.test(d)).join(';'));
  }
  next();
}
