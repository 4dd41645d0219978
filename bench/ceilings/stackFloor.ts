// The stack's own floor: the framework layers Passerelle's pages run through (helmet, a urlencoded
// body, express-session on a database store, passport's session, csrf-sync, a knex transaction),
// with none of Passerelle's code. POST /requests stands for request submission (figure 1), GET /inbox
// renders the inbox ceiling's table behind the same layers (figure 2). LAYERS picks the layers, so
// the benchmark can say what each costs before any product logic runs.
import express from 'express';
import helmet from 'helmet';
import session from 'express-session';
import { Passport } from 'passport';
import { csrfSync } from 'csrf-sync';
import { createDb } from '../../src/db/knex.ts';
import { inboxTable } from './inboxTable.ts';

const layers = new Set((process.env.LAYERS ?? 'helmet,session,passport,csrf,transaction').split(','));
const db = createDb(process.env.DATABASE_URL!);
if (!(await db.schema.hasTable('bench_floor_rows'))) {
  await db.schema.createTable('bench_floor_rows', (t) => {
    t.increments('id');
    t.text('justification').notNullable();
    t.string('created_at', 32).notNullable();
  });
}
if (!(await db.schema.hasTable('bench_floor_sessions'))) {
  await db.schema.createTable('bench_floor_sessions', (t) => {
    t.string('sid', 64).primary();
    t.text('sess').notNullable();
    t.string('expires_at', 32).notNullable();
  });
}

/** The least a database session store does: one read per request, an upsert when the session changes. */
class FloorStore extends session.Store {
  get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    db('bench_floor_sessions').where({ sid }).first('sess').then((row) => cb(null, row ? JSON.parse(row.sess) : null), cb);
  }
  set(sid: string, s: session.SessionData, cb?: (err?: unknown) => void): void {
    db('bench_floor_sessions')
      .insert({ sid, sess: JSON.stringify(s), expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .onConflict('sid')
      .merge()
      .then(() => cb?.(), cb);
  }
  touch(_sid: string, _s: session.SessionData, cb?: (err?: unknown) => void): void {
    cb?.();
  }
  destroy(sid: string, cb?: (err?: unknown) => void): void {
    db('bench_floor_sessions').where({ sid }).delete().then(() => cb?.(), cb);
  }
}

const app = express();
if (layers.has('helmet')) app.use(helmet());
app.use(express.urlencoded({ extended: false, limit: '32kb' }));
const { csrfSynchronisedProtection, generateToken } = csrfSync({ getTokenFromRequest: (req) => req.body?._csrf });
if (layers.has('session')) {
  app.use(session({ secret: 'bench-floor-secret-bench-floor-secret', store: new FloorStore(), resave: false, saveUninitialized: false, rolling: true, cookie: { httpOnly: true, sameSite: 'lax', maxAge: 3_600_000 } }));
  const passport = new Passport();
  if (layers.has('passport')) {
    passport.serializeUser((user, done) => done(null, user));
    // One read per request, as any deserializer that checks the account is still allowed in.
    passport.deserializeUser((stored: { sid: string }, done) => {
      db('bench_floor_sessions').where({ sid: 'user:' + stored.sid }).first('sid').then(() => done(null, stored), done);
    });
    app.use(passport.initialize());
    app.use(passport.session());
  }
  app.get('/login', (req, res, next) => {
    const signIn = () => res.type('text').send(layers.has('csrf') ? generateToken(req) : '');
    if (layers.has('passport')) return req.login({ sid: 'bench' }, (err) => (err ? next(err) : signIn()));
    (req.session as unknown as { user: string }).user = 'bench';
    signIn();
  });
}
app.get('/inbox', (req, res) => {
  if (layers.has('csrf') && req.session) generateToken(req);
  res.type('html').send(inboxTable());
});
if (layers.has('csrf')) app.post('/requests', csrfSynchronisedProtection);
app.post('/requests', async (req, res) => {
  const row = { justification: String(req.body.justification ?? ''), created_at: new Date().toISOString() };
  const id = layers.has('transaction')
    ? await db.transaction(async (trx) => {
        const [r] = await trx('bench_floor_rows').insert(row).returning('id');
        await trx('bench_floor_rows').insert({ ...row, justification: 'audit' });
        return (r as { id: number }).id;
      })
    : ((await db('bench_floor_rows').insert(row).returning('id'))[0] as { id: number }).id;
  res.redirect(303, `/requests/${id}`);
});
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => server.close(() => db.destroy().then(() => process.exit(0))));
