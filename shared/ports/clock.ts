// Port: time. Core logic never reads the system clock directly, so tests can drive it.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
