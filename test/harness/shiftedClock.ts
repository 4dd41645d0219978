// A process-wide wrong clock, for an identity provider whose time is off: `Date.now()` and
// `new Date()` run `offset` seconds ahead (or behind, when negative) of the machine's clock. Imported
// first by the process it skews, before anything that reads the time is loaded.
const RealDate = Date;
const realNow = Date.now.bind(Date);
let offsetMs = 0;

export function setClockOffset(seconds: number): void {
  offsetMs = Math.round(seconds * 1000);
}

globalThis.Date = new Proxy(RealDate, {
  // `new Date()` is "now" on the skewed clock; `new Date(value)` means what it always meant.
  construct: (target, args, newTarget) => (args.length === 0 ? Reflect.construct(target, [realNow() + offsetMs], newTarget) : Reflect.construct(target, args, newTarget)),
  // `Date()` called as a function answers a string for "now".
  apply: (target) => new target(realNow() + offsetMs).toString(),
  get: (target, prop, receiver) => (prop === 'now' ? () => realNow() + offsetMs : Reflect.get(target, prop, receiver)),
});
