/** Time is an argument: services read it from here, tests move it by hand. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests of leases, expiry and timeouts. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-11-28T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const addSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);
