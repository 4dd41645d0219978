// Ceiling for the sponsor inbox: bare Express rendering an EJS table of the same number of rows,
// from memory, with the same escaping (<%= %>).
import express from 'express';
import ejs from 'ejs';

const rows = Number(process.env.ROWS ?? 200);
const data = Array.from({ length: rows }, (_, i) => ({
  id: 100_000 - i,
  name: `Bench Partner ${i}`,
  email: `bench${i}@acme.test`,
  organization: 'Acme Industries',
  items: 'Partner Wiki',
  created: new Date().toISOString().slice(0, 16),
}));
const page = ejs.compile(`<!doctype html><html lang="en"><head><title>Inbox</title></head><body><main><h1>Requests to decide</h1>
<table><thead><tr><th>#</th><th>Who</th><th>Organization</th><th>Items</th><th>Since</th></tr></thead><tbody>
<% rows.forEach(function (r) { %><tr><td><a href="/inbox/<%= r.id %>"><%= r.id %></a></td><td><%= r.name %> <span><%= r.email %></span></td><td><%= r.organization %></td><td><%= r.items %></td><td><%= r.created %></td></tr>
<% }) %></tbody></table></main></body></html>`);
const app = express();
app.get('/inbox', (_req, res) => {
  res.type('html').send(page({ rows: data }));
});
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
