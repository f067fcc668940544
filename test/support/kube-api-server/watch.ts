// WATCH streams (`?watch=true`): newline-delimited JSON events (ADDED/MODIFIED/DELETED/ERROR) for one
// resource type, replayed from a resourceVersion or starting with synthetic ADDED events for current state.

import type { ServerResponse } from 'node:http';
import type { ServerContext } from './context.ts';
import { clone } from './json.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import type { Matcher } from './selectors.ts';
import { failure } from './status.ts';
import type { StoreEvent } from './store.ts';
import type { KubeObject } from './types.ts';

export interface WatchRequest {
  type: ResourceType;
  /** undefined = all namespaces. */
  namespace: string | undefined;
  matches: Matcher;
  resourceVersion: string | null;
  timeoutSeconds: number | undefined;
}

export class WatchHub {
  #open = new Set<ServerResponse>();

  get openCount(): number {
    return this.#open.size;
  }

  start(ctx: ServerContext, res: ServerResponse, req: WatchRequest): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const view = (obj: KubeObject): KubeObject => ({ ...clone(obj), apiVersion: apiVersionOf(req.type) });
    const relevant = (e: StoreEvent) =>
      e.group === req.type.group &&
      e.plural === req.type.plural &&
      (req.namespace === undefined || e.namespace === req.namespace) &&
      req.matches(e.object);

    const rv = req.resourceVersion;
    if (rv === null || rv === '' || rv === '0') {
      const current = ctx.store.list(req.type, req.namespace).filter(req.matches);
      for (const obj of current) send('ADDED', view(obj));
    } else {
      const backlog = ctx.store.eventsSince(Number(rv));
      if (!backlog) {
        const oldest = ctx.store.oldestResumableVersion;
        send('ERROR', failure(410, `too old resource version: ${rv} (${oldest})`, 'Expired'));
        res.end();
        return;
      }
      for (const e of backlog) if (relevant(e)) send(e.type, view(e.object));
    }

    this.#open.add(res);
    const unsubscribe = ctx.store.subscribe((e) => {
      if (relevant(e)) send(e.type, view(e.object));
    });
    const timer =
      req.timeoutSeconds !== undefined ? setTimeout(() => res.end(), req.timeoutSeconds * 1000) : undefined;
    timer?.unref();
    res.on('close', () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.#open.delete(res);
    });
  }

  closeAll(): void {
    for (const res of this.#open) res.end();
    this.#open.clear();
  }
}
