// middy middleware: build the dependencies once per cold start (first invocation), hand them to every
// invocation through the context. Tests pass their own factory.
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';

export interface WithDeps<D> {
  deps: D;
}

export function coldStartDeps<D, E, R>(
  factory: () => D | Promise<D>,
): middy.MiddlewareObj<E, R, Error, WithDeps<D> & Context> {
  let built: Promise<D> | undefined;
  return {
    before: async (request) => {
      built ??= Promise.resolve(factory()).catch((err: unknown) => {
        built = undefined; // a failed build (bad config) is retried by the next invocation
        throw err;
      });
      request.context.deps = await built;
    },
  };
}
