// Fault injection for error-handling tests: queued one-shot failures that the next request matching a
// method and path regex receives instead of being served.

import { failure, reasonForCode, type StatusBody } from './status.ts';

export interface FaultSpec {
  /** HTTP method, or '*' for any. */
  method: string;
  /** Matched against the request path (no query string). */
  path: RegExp;
  status: number;
  message?: string;
  /** Let this many matching requests through first (to fail, say, the second GET of an object). */
  skip?: number;
}

export class FaultInjector {
  #queue: FaultSpec[] = [];

  add(spec: FaultSpec): void {
    this.#queue.push(spec);
  }

  get pending(): number {
    return this.#queue.length;
  }

  clear(): void {
    this.#queue = [];
  }

  /** Removes and returns the Status body for the first queued fault matching this request, if any. */
  take(method: string, pathname: string): StatusBody | undefined {
    const index = this.#queue.findIndex((f) => {
      f.path.lastIndex = 0;
      return (f.method === '*' || f.method.toUpperCase() === method.toUpperCase()) && f.path.test(pathname);
    });
    if (index < 0) return undefined;
    const pending = this.#queue[index];
    if (pending?.skip) {
      pending.skip--;
      return undefined;
    }
    const [fault] = this.#queue.splice(index, 1);
    if (!fault) return undefined;
    const message = fault.message ?? `injected fault: ${reasonForCode(fault.status)}`;
    return failure(fault.status, message, reasonForCode(fault.status));
  }
}
