// Preload for profiling the web and worker under load (docs/performance.md):
//   BENCH_NODE_OPTIONS="--import ./bench/lib/cpuProfile.mjs" npm run bench
// writes <pid>-<command>.cpuprofile to bench/profiles/ (git-ignored) when the process exits.
// (--cpu-prof itself is not allowed in NODE_OPTIONS.)
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = path.resolve(process.env.BENCH_PROFILE_DIR ?? 'bench/profiles');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  // An in-thread session answers synchronously, so the profile is written before the process ends.
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${process.pid}-${process.argv[2] ?? 'node'}.cpuprofile`), JSON.stringify(result.profile));
  });
});
