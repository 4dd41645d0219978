// Outside production, the web and worker processes follow the demo clock that `passerelle clock`
// moves (src/commands/moveDemoClock.ts), read from the database every second. Where it was never
// moved (no row) they leave the clock alone, so tests that move it in-process keep their own.
import type { Logger } from 'pino';
import type { Deps } from './deps.ts';
import { readDemoClockOffset } from './db/demoClock.ts';
import { setClockOffsetMs } from './domain/clock.ts';

/** `onMove`: what to do at once when the clock moved (the worker's sweep, so the demo need not wait for it). */
export function followDemoClock(deps: Deps, log: Logger, onMove: () => Promise<unknown> = async () => undefined, everyMs = 1000): { stop(): void } {
  if (deps.config.env === 'production') return { stop: () => undefined };
  let last: number | null = null;
  let started = false;
  const read = () =>
    readDemoClockOffset(deps.db)
      .then((ms) => {
        // The first reading is where the clock already stood when the process started: no move.
        const moved = started;
        started = true;
        if (ms === null || ms === last) return;
        last = ms;
        setClockOffsetMs(deps.config.clockOffsetMs + ms);
        log.info({ offsetMs: ms }, 'following the demo clock');
        if (moved) return onMove();
      })
      .catch(() => undefined);
  void read();
  const timer = setInterval(read, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
