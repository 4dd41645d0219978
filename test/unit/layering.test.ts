// The layering the code is meant to keep (see STYLE.md): domain rules depend on nothing, the data
// layer on the domain, commands on both, and the edges (web, API, queue processors, job handlers)
// on the commands. A rule broken here is a design question, not a style nit: the message names
// each offending import, file → file, and the rule it breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot as ROOT } from '../../src/paths.ts';

/** Where product code lives; every .ts file under these is checked. */
const PRODUCT = ['src/', 'workers/'];

/** The processors of src/queue: what reacts. Commands may use job names and payload types, not these. */
const QUEUE_PROCESSORS = ['src/queue/relay.ts', 'src/queue/sweeper.ts', 'src/queue/worker.ts'];

interface Rule {
  /** Files this rule is about (a folder ends in '/'). */
  files: string;
  /** What they must not import: folders, files, or 'anything outside' (their own folder). */
  mustNotImport: string[] | 'anything outside';
  why: string;
}

const RULES: Rule[] = [
  { files: 'src/domain/', mustNotImport: 'anything outside', why: 'domain rules are plain functions over their own types' },
  { files: 'src/db/', mustNotImport: ['src/commands/', 'src/web/', 'src/api/', 'src/queue/', 'src/auth/', 'src/mail/'], why: 'the data layer knows the domain and itself only' },
  { files: 'src/commands/', mustNotImport: ['src/web/', 'src/api/', ...QUEUE_PROCESSORS], why: 'a use case does not know who calls it' },
  { files: 'src/queue/', mustNotImport: ['src/commands/'], why: 'processors react and enqueue; the work is done by workers/*' },
  { files: 'src/api/', mustNotImport: ['src/web/'], why: 'the API answers its own errors and limits; the web app mounts it, not the reverse' },
  { files: '', mustNotImport: ['test/', 'bench/'], why: 'product code never depends on tests or the benchmark' },
];

// --- reading imports ----------------------------------------------------------------------------

// The code's formatting puts every static import and re-export at the start of a line, so line-anchored patterns
// find them, type-only ones included (they tie modules together as much as any). Whole-line comments
// are dropped first so that an example in a comment is not taken for an import.
const STATIC = /^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"\n]+)['"]/gm;
const BARE = /^\s*import\s*['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  const code = source
    .replace(/^\s*\/\*[\s\S]*?\*\//gm, '')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*)/.test(line))
    .join('\n');
  return [...code.matchAll(STATIC), ...code.matchAll(BARE), ...code.matchAll(DYNAMIC)].map((m) => m[1]);
}

// Node builtins and npm packages are allowed everywhere: only the product's own files are layered.
const isPackage = (spec: string) => !spec.startsWith('.') && !spec.startsWith('/');

function tsFilesUnder(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return (fs.readdirSync(abs, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

type Graph = Map<string, string[]>;

/** Every product file and the files it imports, as paths from the repository's root. */
function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of PRODUCT.flatMap(tsFilesUnder)) {
    const specs = importsOf(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const resolved = specs.filter((s) => !isPackage(s)).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
    graph.set(file, [...new Set(resolved)]);
  }
  return graph;
}

const under = (file: string, place: string) => (place.endsWith('/') || place === '' ? file.startsWith(place) : file === place);

function breaches(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, files] of graph) {
    for (const rule of RULES.filter((r) => under(file, r.files))) {
      for (const target of files) {
        const banned = rule.mustNotImport === 'anything outside' ? !under(target, rule.files) : rule.mustNotImport.some((p) => under(target, p));
        if (banned) out.push(`${file} → ${target} (${rule.files || 'product code'}: ${rule.why})`);
      }
    }
  }
  return out;
}

/** Import cycles, each as the files of one strongly connected component, walked file → file. */
function cycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.map((component) => walk(graph, new Set(component)));
}

/** One concrete loop through a cycle's files, for the message: a → b → … → a. */
function walk(graph: Graph, component: Set<string>): string {
  const start = [...component].sort()[0];
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v)!) {
      if (!component.has(w)) continue;
      if (w === start) {
        const loop = [start];
        for (let u = v; u !== start; u = from.get(u)!) loop.splice(1, 0, u);
        return [...loop, start].join(' → ') + (component.size > loop.length ? ` (and ${component.size - loop.length} more files in the same cycle)` : '');
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component].join(' ↔ ');
}

// --- the checks ---------------------------------------------------------------------------------

test('the import reader sees static, type-only, re-exported, side-effect and dynamic imports, not comments', () => {
  const source = [
    "import fs from 'node:fs';",
    "import {",
    "  a,",
    "  type B,",
    "} from './a.ts';",
    "import type { C } from '../c.ts';",
    "export { d } from './d.ts';",
    "export * from './e.ts';",
    "export type { F } from './f.ts';",
    "import './g.ts';",
    "const h = await import('./h.ts');",
    "// import { x } from './comment.ts';",
    "/* import('./block.ts') */",
    " * and import { y } from './jsdoc.ts' in a doc comment",
    "export const from = 'not an import';",
  ].join('\n');
  assert.deepEqual(importsOf(source).sort(), ['../c.ts', './a.ts', './d.ts', './e.ts', './f.ts', './g.ts', './h.ts', 'node:fs'].sort());
});

test('every relative import names a file that exists', () => {
  const graph = importGraph();
  const missing = [...graph].flatMap(([file, files]) => files.filter((t) => !fs.existsSync(path.join(ROOT, t))).map((t) => `${file} → ${t}`));
  assert.deepEqual(missing, [], 'the layering rules would not see these imports');
  assert.ok(graph.size > 100, `${graph.size} product files read`);
});

test('no import cycles among product files', () => {
  const found = cycles(importGraph());
  assert.deepEqual(found, [], `import cycles:\n  ${found.join('\n  ')}`);
});

test('each layer imports only what it may (domain ← db ← commands ← web, api, queue, workers)', () => {
  const found = breaches(importGraph());
  assert.deepEqual(found, [], `imports that break the layering:\n  ${found.join('\n  ')}`);
});
