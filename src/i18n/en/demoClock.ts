// The demo's moved clock (passerelle clock), as the audit log tells it.
export const demoClock = {
  'auditLog.s.clock.moved': '{actor} moved the demo clock: {days, plural, =0 {back to the real time} one {# day ahead} other {# days ahead}}',
  'auditLog.a.clock.moved': 'Demo clock moved',
};
