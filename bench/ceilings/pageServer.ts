// Ceiling for the sponsor inbox: bare Express rendering an EJS table of the same number of rows,
// from memory, with the same escaping (<%= %>).
import express from 'express';
import { inboxTable } from './inboxTable.ts';

const app = express();
app.get('/inbox', (_req, res) => {
  res.type('html').send(inboxTable());
});
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
