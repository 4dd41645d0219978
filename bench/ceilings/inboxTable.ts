// The inbox ceiling's page: an EJS table of ROWS rows from memory, with the same escaping (<%= %>)
// as the real inbox. Shared by the bare page server and the stack floor, so both render the same.
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

export const inboxTable = (): string => page({ rows: data });
