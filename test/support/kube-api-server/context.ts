// The mutable state one stand-in server instance shares between its modules: type registry, object store,
// simulated-controller switches and the ClusterIP allocator.

import type { ControllerOptions } from './controllers.ts';
import type { DefaultingContext } from './defaults.ts';
import type { FieldScope } from './field-paths.ts';
import type { ResourceRegistry } from './registry.ts';
import type { ResourceType } from './resources.ts';
import type { ObjectStore } from './store.ts';

export interface ServerContext {
  registry: ResourceRegistry;
  store: ObjectStore;
  controllers: ControllerOptions;
  defaulting: DefaultingContext;
}

export function namespaceType(ctx: ServerContext): ResourceType {
  const type = ctx.registry.find('', 'v1', 'namespaces');
  if (!type) throw new Error('namespaces type missing from registry');
  return type;
}

export function namespaceExists(ctx: ServerContext, namespace: string): boolean {
  return ctx.store.get(namespaceType(ctx), '', namespace) !== undefined;
}

/** Which fields a write through `subresource` may touch for this type. */
export function scopeFor(type: ResourceType, subresource: string | undefined): FieldScope {
  if (subresource === 'status') return 'status';
  return type.statusSubresource ? 'main' : 'main+status';
}
