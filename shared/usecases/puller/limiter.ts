// At most N target reconciles at once across every pass of one puller (Flux's --concurrent): a slow target
// holds one slot, never the others; waiting for a dependency happens outside the slots, so none deadlocks.

export type Limiter = <T>(run: () => Promise<T>) => Promise<T>;

export function limiter(slots: number): Limiter {
  let free = Math.max(1, Math.floor(slots));
  const queue: (() => void)[] = [];
  return async (run) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await run();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free++;
    }
  };
}
