// Partner Wiki's pages: the sample application's own look, not Passerelle's. Plain HTML; the one
// <style> block is allowed by its hash, so the policy needs no 'unsafe-inline'.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { escapeHtml as esc } from '../html.ts';

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2a26; }
  body { margin: 0; background: #f3f6f4; }
  header { background: #14513f; color: #fff; }
  header .bar { max-width: 52rem; min-height: 2.4rem; margin: 0 auto; padding: .7rem 1.25rem; display: flex; align-items: center; gap: 1rem; }
  .brand { font-weight: 700; font-size: 1.15rem; letter-spacing: .01em; color: #fff; text-decoration: none; }
  .brand span { color: #9fe0c6; }
  header form { margin-left: auto; }
  main { max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem; }
  h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
  h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
  .lead { font-size: 1.05rem; color: #3d524b; margin: 0 0 1.5rem; }
  .card { background: #fff; border-radius: 10px; padding: 1.4rem 1.5rem; margin-bottom: 1.25rem; box-shadow: 0 1px 6px rgba(20, 50, 40, .1); }
  .card > :first-child { margin-top: 0; }
  .card > :last-child { margin-bottom: 0; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1.25rem; margin: 0; }
  dt { font-weight: 600; color: #3d524b; }
  dd { margin: 0; overflow-wrap: anywhere; }
  ul.groups { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
  ul.groups li { background: #e1f3ea; color: #14513f; border-radius: 999px; padding: .25rem .8rem; font-weight: 600; }
  .muted { color: #5d6f69; }
  .error { background: #fdecea; color: #8a1c12; border: 1px solid #f1b5ae; border-radius: 6px; padding: .7rem .9rem; }
  a.button, button { display: inline-block; padding: .6rem 1.1rem; font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid #1d7a5d;
    background: #1d7a5d; color: #fff; text-decoration: none; cursor: pointer; }
  header button { background: transparent; border-color: #9fe0c6; color: #fff; padding: .4rem .9rem; }
  a.button:focus, button:focus { outline: 3px solid #7fc9ad; outline-offset: 2px; }
  code { font-size: .9em; }
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The pages' policy. Sign-out is a form whose answer redirects to Passerelle, which form-action governs too. */
const policy = (passerelleOrigin: string) =>
  `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self' ${passerelleOrigin}; base-uri 'none'; frame-ancestors 'none'`;

export interface SignedIn {
  claims: Record<string, unknown>;
}

function page(title: string, body: string, header = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><div class="bar"><a class="brand" href="/">Partner <span>Wiki</span></a>${header}</div></header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function send(res: ServerResponse, passerelleOrigin: string, status: number, title: string, body: string, header = ''): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', policy(passerelleOrigin));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.end(page(title, body, header));
}

export const signedOutHtml = (): { title: string; body: string } => ({
  title: 'Partner Wiki',
  body: `<h1>Partner Wiki — sign in with Passerelle</h1>
<p class="lead">Shared documentation, meeting notes and specifications for our partners.</p>
<section class="card">
  <p>Partner Wiki does not keep accounts of its own: you sign in through Passerelle, with your organization's identity.
  Passerelle lets you in if you were given access to Partner Wiki.</p>
  <p><a class="button" href="/login">Sign in</a></p>
</section>`,
});

const text = (v: unknown): string => (typeof v === 'string' && v ? esc(v) : '<span class="muted">not shared</span>');

export function signedInHtml(user: SignedIn, csrf: string): { title: string; body: string; header: string } {
  const c = user.claims;
  const name = typeof c.name === 'string' && c.name ? c.name : typeof c.email === 'string' ? c.email : 'someone';
  const groups = Array.isArray(c.groups) ? c.groups.map(String) : null;
  const amr = Array.isArray(c.amr) ? c.amr.map(String).join(', ') : '';
  const groupList = groups === null
    ? '<p class="muted">Passerelle did not share your groups with Partner Wiki.</p>'
    : groups.length
      ? `<ul class="groups" aria-label="Your groups">${groups.map((g) => `<li>${esc(g)}</li>`).join('')}</ul>`
      : '<p class="muted">You are in none of the groups Partner Wiki may see.</p>';
  return {
    title: `${name} · Partner Wiki`,
    header: `<form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit">Sign out</button></form>`,
    body: `<h1>Signed in as ${esc(name)}</h1>
<p class="lead">Welcome to Partner Wiki. This is what Passerelle told us about you.</p>
<section class="card" aria-labelledby="who">
  <h2 id="who">Who you are</h2>
  <dl>
    <dt>Name</dt><dd>${text(c.name)}</dd>
    <dt>E-mail</dt><dd>${text(c.email)}${c.email_verified === true ? ' <span class="muted">(verified)</span>' : ''}</dd>
    <dt>Account type</dt><dd>${text(c.user_type)}</dd>
    <dt>Signed in at</dt><dd>${typeof c.idp === 'string' ? `<code>${esc(c.idp)}</code>` : text(undefined)}</dd>
    <dt>How</dt><dd>${amr ? `amr <code>${esc(amr)}</code>` : ''}${typeof c.acr === 'string' ? ` · acr <code>${esc(c.acr)}</code>` : ''}</dd>
    <dt>Subject</dt><dd><code>${esc(String(c.sub ?? ''))}</code> <span class="muted">(only Partner Wiki sees this identifier)</span></dd>
  </dl>
</section>
<section class="card" aria-labelledby="groups">
  <h2 id="groups">Your groups</h2>
  ${groupList}
</section>`,
  };
}

export function errorHtml(title: string, message: string, code?: string): { title: string; body: string } {
  return {
    title: `${title} · Partner Wiki`,
    body: `<h1>${esc(title)}</h1>
<p class="error" role="alert">${esc(message)}</p>
${code ? `<p class="muted">Error code: <code>${esc(code)}</code></p>` : ''}
<p><a class="button" href="/login">Try again</a> <a href="/">Back to Partner Wiki</a></p>`,
  };
}
