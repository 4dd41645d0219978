import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { auditActions, auditBatches, auditNames, listAudit, readAuditHead, type AuditFilter, type AuditRow } from '../../../db/audit.ts';
import { latestCheckpoint } from '../../../db/auditCheckpoints.ts';
import { latestVerifications } from '../../../db/auditVerifications.ts';
import { recordAuditExport, requestAuditVerification } from '../../../commands/admin/requestAuditVerification.ts';
import { AUDIT_AREAS, KNOWN_ACTIONS } from '../../../domain/auditActions.ts';
import { actionLabel, auditSentence, sentenceText } from '../../../i18n/auditSentence.ts';
import { csvHeader, csvRecord, jsonLine } from '../../../domain/auditExport.ts';
import type { Locale } from '../../../i18n/locales.ts';
import { requireAbility } from '../../middleware/auth.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext, principalOf } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = (max: number) => z.preprocess(blankToUndefined, z.string({ message: 'auditLog.errors.tooLong' }).trim().max(max, 'auditLog.errors.tooLong').optional());
const day = z.preprocess(
  blankToUndefined,
  z
    .string({ message: 'auditLog.errors.date' })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'auditLog.errors.date')
    .refine((d) => {
      const at = new Date(`${d}T00:00:00.000Z`);
      return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(d); // 2026-02-30 is no day
    }, 'auditLog.errors.date')
    .optional(),
);

const auditQuery = z
  .object({
    actor: text(320),
    action: z.preprocess(blankToUndefined, z.string({ message: 'auditLog.errors.action' }).trim().max(100, 'auditLog.errors.action').regex(/^[A-Za-z][A-Za-z0-9_.:-]*$/, 'auditLog.errors.action').optional()),
    target: text(200),
    outcome: z.preprocess(blankToUndefined, z.enum(['success', 'failure', 'denied'], { message: 'auditLog.errors.outcome' }).optional()),
    from: day,
    to: day,
    before: z.preprocess(blankToUndefined, z.string({ message: 'auditLog.errors.page' }).regex(/^[1-9]\d{0,14}$/, 'auditLog.errors.page').transform(Number).optional()),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'auditLog.errors.range' });

type Filter = z.infer<typeof auditQuery>;
const FILTER_KEYS = ['actor', 'action', 'target', 'outcome', 'from', 'to'] as const;

/** The filter, or the message key for each field that cannot be used (shown on the page, status 400). */
function parseFilter(query: unknown): { filter: Filter } | { errors: Record<string, string> } {
  const parsed = auditQuery.safeParse(query ?? {});
  if (parsed.success) return { filter: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'action');
    errors[field] ??= issue.message.startsWith('auditLog.') ? issue.message : 'auditLog.errors.tooLong';
  }
  return { errors };
}

/** The filter as a query string (without the page), for the pager and the export links. */
function keepOf(filter: Partial<Filter>): string {
  return new URLSearchParams(FILTER_KEYS.filter((k) => filter[k] !== undefined).map((k) => [k, String(filter[k])])).toString();
}

/** What the form shows back: the values as typed, so a wrong one can be corrected. */
function typedValues(query: Request['query']): Record<string, string> {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, typeof query[k] === 'string' ? (query[k] as string) : '']));
}

/** The action list: every known action by area, then any other action the log holds. */
function actionGroups(onRecord: string[], chosen: string | undefined, lang: Locale) {
  const others = [...new Set([...onRecord, ...(chosen ? [chosen] : [])])].filter((a) => !KNOWN_ACTIONS.has(a)).sort();
  return [
    ...AUDIT_AREAS.map((g) => ({ area: g.area, actions: g.actions.map((a) => ({ value: a, label: actionLabel(a, lang) })) })),
    ...(others.length ? [{ area: 'other', actions: others.map((a) => ({ value: a, label: a })) }] : []),
  ];
}

const langOf = (req: Request, res: Response): Locale => (res.locals.lang ?? req.lang ?? 'en') as Locale;

export function auditRoutes(deps: Deps): Router {
  const { db } = deps;
  const r = Router();

  async function page(req: Request, res: Response, filter: Filter | null, errors: Record<string, string>, notice: { key: string; params?: Record<string, string | number> } | null) {
    const lang = langOf(req, res);
    const [list, onRecord, chain, checkpoint] = await Promise.all([
      filter ? listAudit(db, { ...filter, limit: 50 }) : Promise.resolve({ rows: [] as AuditRow[], nextBefore: null }),
      auditActions(db),
      latestVerifications(db),
      latestCheckpoint(db),
    ]);
    const names = await auditNames(db, list.rows);
    const events = list.rows.map((row) => ({ row, parts: auditSentence(row, names, lang), details: prettyDetails(row.details) }));
    render(
      req,
      res,
      'admin/audit',
      {
        title: 'audit.title',
        filter: filter ?? {},
        values: filter ? Object.fromEntries(FILTER_KEYS.map((k) => [k, filter[k] ?? ''])) : typedValues(req.query),
        fields: errors,
        hasErrors: Object.keys(errors).length > 0,
        groups: actionGroups(onRecord, filter?.action, lang),
        events,
        nextBefore: list.nextBefore,
        olderPage: Boolean(filter?.before),
        keep: filter ? keepOf(filter) : '',
        chain,
        checkpoint,
        notice,
      },
      Object.keys(errors).length ? 400 : 200,
    );
  }

  r.get('/admin/audit', requireAbility(db, 'audit:read'), async (req, res) => {
    const parsed = parseFilter(req.query);
    const verify = typeof req.query.verify === 'string' && /^\d{1,15}$/.test(req.query.verify) ? req.query.verify : null;
    if ('errors' in parsed) return page(req, res, null, parsed.errors, null);
    await page(req, res, parsed.filter, {}, verify ? { key: 'auditLog.chain.requested', params: { id: verify } } : null);
  });

  r.post('/admin/audit/verify', requireAbility(db, 'audit:read'), csrfProtection, async (req, res) => {
    const p = principalOf(req);
    const id = await requestAuditVerification(deps, auditContext(req), { userId: p?.userId ?? null, label: p?.email ?? null });
    res.redirect(303, `/admin/audit?verify=${id}`);
  });

  const exportRoute = (format: 'csv' | 'jsonl') => async (req: Request, res: Response) => {
    const parsed = parseFilter(req.query);
    if ('errors' in parsed) return page(req, res, null, parsed.errors, null);
    const { before: _page, ...filter } = parsed.filter;
    // What the log holds now is what is exported: events written while it streams are not.
    const head = await readAuditHead(db);
    await recordAuditExport(deps, auditContext(req), format, filter);
    try {
      await streamExport(req, res, filter, head.seq, format);
    } catch (err) {
      // Half a file already went out: cut it off, so that it cannot pass for a whole export.
      if (!res.headersSent) {
        // Nothing went out yet: the error page must not download as the export.
        res.removeHeader('Content-Disposition');
        res.removeHeader('Content-Type');
        throw err;
      }
      res.destroy(err as Error);
    }
  };
  r.get('/admin/audit/export.csv', requireAbility(db, 'audit:read'), exportRoute('csv'));
  r.get('/admin/audit/export.jsonl', requireAbility(db, 'audit:read'), exportRoute('jsonl'));

  async function streamExport(req: Request, res: Response, filter: AuditFilter, upTo: number, format: 'csv' | 'jsonl') {
    const lang = langOf(req, res);
    const date = new Date().toISOString().slice(0, 10);
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="passerelle-audit-${date}.${format}"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    let closed = false;
    res.on('close', () => (closed = true));
    // Written as it is read, a batch at a time; a slow reader holds the next batch back ('drain').
    // Both listeners go once either fires: a million-event export waits on almost every batch.
    const write = (chunk: string): Promise<void> =>
      res.write(chunk) || closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
    if (format === 'csv') await write(csvHeader());
    for await (const rows of auditBatches(db, filter, upTo)) {
      if (closed) return;
      const names = await auditNames(db, rows);
      let chunk = '';
      for (const row of rows) {
        const summary = sentenceText(auditSentence(row, names, lang));
        chunk += format === 'csv' ? csvRecord(row, summary) : jsonLine(row, summary);
      }
      await write(chunk);
    }
    res.end();
  }

  return r;
}

/** The recorded details, indented for reading; '' when there are none. */
function prettyDetails(details: string): string {
  try {
    const v = JSON.parse(details);
    if (v && typeof v === 'object' && Object.keys(v).length === 0) return '';
    return JSON.stringify(v, null, 2);
  } catch {
    return details;
  }
}
