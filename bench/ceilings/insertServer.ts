// Ceiling for request submission: bare Express, a urlencoded body, one knex insert, a 303 — on the
// same database (same driver settings: WAL and busy timeout on SQLite, the same pool on PostgreSQL).
import express from 'express';
import { createDb } from '../../src/db/knex.ts';

const db = createDb(process.env.DATABASE_URL!);
if (!(await db.schema.hasTable('bench_ceiling_rows'))) {
  await db.schema.createTable('bench_ceiling_rows', (t) => {
    t.increments('id');
    t.text('justification').notNullable();
    t.string('created_at', 32).notNullable();
  });
}
const app = express();
app.use(express.urlencoded({ extended: false, limit: '32kb' }));
app.post('/requests', async (req, res) => {
  const [row] = await db('bench_ceiling_rows').insert({ justification: String(req.body.justification ?? ''), created_at: new Date().toISOString() }).returning('id');
  res.redirect(303, `/requests/${(row as { id: number }).id}`);
});
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => server.close(() => db.destroy().then(() => process.exit(0))));
