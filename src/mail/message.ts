// An admin's words as an ICU message: checked before they are stored (they parse, and name only the
// placeholders their template offers), and filled as plain text. Tags mean nothing (ignoreTag): a
// "<b>" an admin types is text like any other, escaped by the layout.
import { IntlMessageFormat } from 'intl-messageformat';
import type { Locale } from '../i18n/locales.ts';

export type Values = Record<string, string | number>;

/** What is wrong with a message, as a catalog key and its parameters, or null when it is fine. */
export interface MessageProblem {
  key: string;
  params: Record<string, string>;
  /** For a message that does not parse: what is wrong, in the reader's words (a catalog key). */
  detail?: string;
}

// intl-messageformat's parse errors, as the few things an admin can have done wrong.
const SYNTAX: Record<string, string> = {
  EXPECT_ARGUMENT_CLOSING_BRACE: 'mailTemplates.syntax.unclosed',
  UNCLOSED_QUOTE_IN_ARGUMENT_STYLE: 'mailTemplates.syntax.unclosed',
  EMPTY_ARGUMENT: 'mailTemplates.syntax.empty',
  MALFORMED_ARGUMENT: 'mailTemplates.syntax.empty',
  MISSING_OTHER_CLAUSE: 'mailTemplates.syntax.other',
};

/** A problem in words: `t` is the page's translator. */
export function describeProblem(p: MessageProblem, t: (key: string, params?: Record<string, string>) => string): string {
  const braces = { open: '{', close: '}', example: '{name}' };
  return t(p.key, { ...braces, ...p.params, ...(p.detail ? { detail: t(p.detail, braces) } : {}) });
}

interface AstNode {
  type: number;
  value?: unknown;
  options?: Record<string, { value: AstNode[] }>;
  children?: AstNode[];
}

// intl-messageformat's element types: argument, number, date, time, select, plural name a value;
// select and plural hold messages of their own; a tag holds children.
const NAMED = new Set([1, 2, 3, 4, 5, 6]);

function namesIn(nodes: AstNode[], out: Set<string>): Set<string> {
  for (const node of nodes) {
    if (NAMED.has(node.type) && typeof node.value === 'string') out.add(node.value);
    for (const option of Object.values(node.options ?? {})) namesIn(option.value, out);
    if (node.children) namesIn(node.children, out);
  }
  return out;
}

function compile(message: string, lang: Locale): IntlMessageFormat {
  return new IntlMessageFormat(message, lang, undefined, { ignoreTag: true });
}

/** Parses `message` and checks its placeholders against `allowed`. */
export function checkMessage(message: string, lang: Locale, allowed: string[]): MessageProblem | null {
  let format: IntlMessageFormat;
  try {
    format = compile(message, lang);
  } catch (err) {
    const e = err as Error & { location?: { start?: { line: number; column: number } } };
    const at = e.location?.start ?? { line: 1, column: 1 };
    return { key: 'mailTemplates.error.syntax', params: { line: String(at.line), column: String(at.column) }, detail: SYNTAX[e.message] ?? 'mailTemplates.syntax.unknown' };
  }
  const unknown = [...namesIn(format.getAst() as unknown as AstNode[], new Set())].filter((n) => !allowed.includes(n));
  if (unknown.length) return { key: 'mailTemplates.error.unknown', params: { names: unknown.map((n) => `{${n}}`).join(', '), allowed: allowed.map((n) => `{${n}}`).join(', ') } };
  return null;
}

const cache = new Map<string, IntlMessageFormat>();

/**
 * The message filled with `values`, as plain text (the caller escapes it for HTML). A value that is
 * missing prints as nothing. Throws when the message does not parse or a plural gets no number.
 */
export function fillMessage(message: string, lang: Locale, values: Values): string {
  const id = `${lang}\u0000${message}`;
  let format = cache.get(id);
  if (!format) {
    format = compile(message, lang);
    if (cache.size > 500) cache.clear();
    cache.set(id, format);
  }
  const blanks = new Proxy(values, { has: () => true, get: (target, name) => (typeof name === 'string' ? (target[name] ?? '') : undefined) });
  return String(format.format(blanks as Values));
}
