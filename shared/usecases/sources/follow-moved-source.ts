// Use-case step: a cluster's source name that now stands for another source (a HelmRepository given another
// URL, a GitRepository another ref). The HelmCharts built from the one it named are built again, from the new
// one: a HelmChart follows its sourceRef by name, as Flux's watches do, not the source it was built from.
import { enqueueFetch } from '../enqueue.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { stateOf } from '../state-store.ts';

export async function followMovedSource(
  deps: PipelineDeps,
  previousKey: string,
  nextKey: string,
): Promise<void> {
  // Every move is an occasion of its own (a name moved back and forth moves each time).
  const occasion = `${previousKey}/moved-to/${nextKey}/${deps.clock.now()}`;
  for (const dependent of await stateOf(deps).listDependents(previousKey)) {
    await enqueueFetch(deps, dependent, 'source', occasion);
  }
}
