// A person with a browser, for supertest: one cookie-keeping agent per origin (ours and each IdP),
// redirects followed by hand so every hop of the OpenID Connect dance is real HTTP.
import supertest from 'supertest';
import { DEMO_PASSWORD } from '../../src/demo/world.ts';

export interface Page {
  status: number;
  url: string;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A file chosen in a form's file input. */
export interface Upload {
  /** The input's name. */
  field: string;
  filename: string;
  content: Buffer;
  contentType?: string;
}

export class Browser {
  private readonly agents = new Map<string, ReturnType<typeof supertest.agent>>();

  /** Headers this browser sends with every request (its Accept-Language, say). */
  constructor(private readonly headers: Record<string, string> = {}) {}

  private agent(origin: string) {
    let a = this.agents.get(origin);
    if (!a) {
      a = supertest.agent(origin);
      if (Object.keys(this.headers).length) a.set(this.headers);
      this.agents.set(origin, a);
    }
    return a;
  }

  /** Puts a cookie into this browser's jar for an origin, as an attacker planting one would. */
  plantCookie(origin: string, cookie: string): void {
    (this.agent(origin) as unknown as { jar: { setCookie(c: string, domain: string, path: string): void } }).jar.setCookie(cookie, new URL(origin).hostname, '/');
  }

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>): Promise<Page> {
    const u = new URL(url);
    const a = this.agent(u.origin);
    const path = u.pathname + u.search;
    const req = method === 'GET' ? a.get(path) : a.post(path).type('form').send(encode(form ?? {}));
    const res = await req.redirects(0).ok(() => true);
    return { status: res.status, url, text: res.text ?? '', headers: res.headers };
  }

  /** The Cookie header this browser would send to an origin (for load generators that act as it). */
  cookieHeader(url: string): string {
    const u = new URL(url);
    const jar = (this.agent(u.origin) as unknown as { jar: { getCookies(info: unknown): { toValueString(): string }[] } }).jar;
    return jar.getCookies({ domain: u.hostname, path: '/', secure: u.protocol === 'https:', script: false }).map((c) => c.toValueString()).join('; ');
  }

  /** A JSON call with this browser's cookies (a page's script would send them the same way). */
  async json(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<Page> {
    const u = new URL(url);
    const a = this.agent(u.origin);
    const path = u.pathname + u.search;
    const req = method === 'GET' ? a.get(path) : method === 'POST' ? a.post(path).send(body as object) : a.delete(path);
    const res = await req.redirects(0).ok(() => true);
    return { status: res.status, url, text: res.text ?? '', headers: res.headers };
  }

  /** Requests, then follows redirects (as GET) the way a browser does, and a page's immediate `Refresh`. */
  async go(url: string, method: 'GET' | 'POST' = 'GET', form?: Record<string, string | string[]>, maxHops = 20): Promise<Page> {
    return this.follow(await this.request(method, url, form), maxHops);
  }

  private async follow(first: Page, maxHops = 20): Promise<Page> {
    let page = first;
    const refreshTo = (p: Page) => /^0\s*;\s*url=(.+)$/i.exec(String(p.headers.refresh ?? ''))?.[1];
    for (let hop = 0; hop < maxHops && ([301, 302, 303, 307].includes(page.status) || refreshTo(page)); hop++) {
      const next = new URL(refreshTo(page) ?? String(page.headers.location), page.url).toString();
      page = await this.request('GET', next);
    }
    return page;
  }

  /** Submits the form whose action is `action` on `page`, with its CSRF token and the given fields. */
  async submit(page: Page, action: string, fields: Record<string, string | string[]>): Promise<Page> {
    const csrf = csrfToken(page.text);
    return this.go(new URL(action, page.url).toString(), 'POST', { ...(csrf ? { _csrf: csrf } : {}), ...fields });
  }

  /**
   * Submits the multipart/form-data form whose action is `action` on `page` (a form with a file
   * input), with its CSRF token, the fields and the file if one is chosen, then follows redirects as
   * `submit` does; `{ follow: false }` returns the answer to the POST itself (a 303, say).
   */
  async upload(page: Page, action: string, fields: Record<string, string | string[]>, file?: Upload, options: { follow?: boolean } = {}): Promise<Page> {
    const csrf = csrfToken(page.text);
    if (!csrf) throw new Error(`no CSRF token on the form page ${page.url}`);
    const url = new URL(action, page.url);
    let req = this.agent(url.origin).post(url.pathname + url.search).field('_csrf', csrf);
    for (const [name, value] of Object.entries(fields)) for (const v of ([] as string[]).concat(value)) req = req.field(name, v);
    if (file) req = req.attach(file.field, file.content, { filename: file.filename, contentType: file.contentType ?? 'application/octet-stream' });
    const res = await req.redirects(0).ok(() => true);
    const answer = { status: res.status, url: url.toString(), text: res.text ?? '', headers: res.headers };
    return options.follow === false ? answer : this.follow(answer);
  }

  /** Signs in at the IdP behind `/auth/<slug>` of the app, answering the IdP's login form. */
  async signIn(appUrl: string, slug: string, email: string, password = DEMO_PASSWORD, returnTo?: string): Promise<Page> {
    const login = await this.go(`${appUrl}/auth/${slug}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
    if (login.status !== 200 || !/name="password"/.test(login.text)) {
      throw new Error(`expected the IdP login page, got ${login.status} at ${login.url}: ${login.text.slice(0, 300)}`);
    }
    const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(login.text)?.[1] ?? /action="([^"]*\/login)"/.exec(login.text)?.[1];
    if (!action) throw new Error('no login form on the IdP page');
    return this.go(new URL(action.replace(/&amp;/g, '&'), login.url).toString(), 'POST', { email, password });
  }
}

function encode(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const value of ([] as string[]).concat(v)) params.append(k, value);
  return params.toString();
}

export function csrfToken(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

export function redeemLink(text: string): string {
  const m = /(https?:\/\/\S+\/redeem\/[A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no redeem link in: ${text}`);
  return m[1];
}
