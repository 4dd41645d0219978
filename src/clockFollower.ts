// Outside production, the web and worker processes follow the demo clock that `passerelle clock`
// moves (src/commands/moveDemoClock.ts), read from the database every second. Where it was never
// moved (no row) they leave the clock alone, so tests that move it in-process keep their own.
import type { Logger } from 'pino';
import type { Deps } from './deps.ts';
import { readDemoClockOffset } from './db/demoClock.ts';
import { setClockOffsetMs } from './domain/clock.ts';

export function followDemoClock(deps: Deps, log: Logger, everyMs = 1000): { stop(): void } {
  if (deps.config.env === 'production') return { stop: () => undefined };
  let last: number | null = null;
  const read = () =>
    readDemoClockOffset(deps.db)
      .then((ms) => {
        if (ms === null || ms === last) return;
        last = ms;
        setClockOffsetMs(deps.config.clockOffsetMs + ms);
        log.info({ offsetMs: ms }, 'following the demo clock');
      })
      .catch(() => undefined);
  void read();
  const timer = setInterval(read, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
