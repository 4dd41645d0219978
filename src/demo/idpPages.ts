// The demo IdP's own pages: sign-in, errors and sign-out, plain HTML with a strict CSP.
import type { ServerResponse } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from '../html.ts';
import type { DemoIssuerSpec } from './issuerSpec.ts';

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #eef1f5; color: #1d2430; }
  main { box-sizing: border-box; width: min(24rem, 92vw); background: #fff; border-radius: 10px; padding: 2rem; box-shadow: 0 2px 12px rgba(20, 30, 50, .12); }
  .org { margin: 0; font-size: .85rem; letter-spacing: .04em; text-transform: uppercase; color: #5a6475; }
  h1 { margin: .25rem 0 1.25rem; font-size: 1.5rem; }
  h2 { font-size: .95rem; margin: 1.75rem 0 .5rem; }
  label { display: block; font-weight: 600; margin: .9rem 0 .3rem; }
  input { box-sizing: border-box; width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid #9aa3b2; border-radius: 6px; }
  input:focus, button:focus { outline: 3px solid #7aa7ff; outline-offset: 1px; }
  .actions { display: flex; gap: .75rem; margin-top: 1.4rem; }
  button { flex: 1; padding: .65rem; font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid #1f5fd1; background: #1f5fd1; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1f5fd1; }
  .error { background: #fdecea; color: #8a1c12; border: 1px solid #f1b5ae; border-radius: 6px; padding: .6rem .75rem; }
  ul { margin: 0; padding-left: 1.1rem; font-size: .9rem; color: #3b4556; }
  code { font-size: .9em; }
`;

export function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html = pageHtml(title, body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.end(html);
}

export function sendExpired(res: ServerResponse): void {
  sendPage(res, 400, 'Sign-in expired',
    '<h1>Sign-in expired</h1><p>This sign-in request is no longer valid. Go back to the application and start the sign-in again.</p>');
}

export function sendLoginPage(
  res: ServerResponse, status: number, spec: DemoIssuerSpec, uid: string, state: { email: string; error?: string },
): void {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const error = state.error ? `<p class="error" role="alert" id="signin-error">${escapeHtml(state.error)}</p>` : '';
  const describedBy = state.error ? ' aria-describedby="signin-error" aria-invalid="true"' : '';
  const hints = spec.accounts.slice(0, 5).map((a) => `<li><code>${escapeHtml(a.email)}</code></li>`).join('');
  const body = `
<p class="org">${escapeHtml(spec.displayName)}</p>
<h1>Sign in</h1>
${error}
<form method="post" action="${base}/login">
  <label for="email">E-mail address</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(state.email)}"${describedBy}${state.email ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}${state.email ? ' autofocus' : ''}>
  <div class="actions">
    <button type="submit">Sign in</button>
    <button type="submit" class="secondary" formaction="${base}/abort" formnovalidate>Cancel</button>
  </div>
</form>
${hints ? `<section aria-labelledby="demo-accounts"><h2 id="demo-accounts">Demo accounts</h2><ul>${hints}</ul></section>` : ''}`;
  sendPage(res, status, `Sign in · ${spec.displayName}`, body);
}

export async function renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = pageHtml('Sign-in error', `<h1>Something went wrong</h1>
<p class="error" role="alert">${escapeHtml(out.error_description ?? out.error)}</p>
<p>Go back to the application and try again.</p>`);
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  // `form` is oidc-provider's hidden form (id "op.logoutForm") holding the CSRF token.
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = pageHtml('Sign out', `<h1>Sign out?</h1>
<p>Do you want to sign out of ${escapeHtml(ctx.host)}?</p>
${form}
<div class="actions">
  <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
  <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
</div>`);
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = pageHtml('Signed out', '<h1>Signed out</h1><p>You have been signed out. You can close this page.</p>');
}

export function pageHtml(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
