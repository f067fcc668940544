// The order a puller pass takes its targets in, from their dependsOn: dependencies first, and every
// dependency cycle found and named (Flux just waits forever on one), so its members are reported at once.

export interface PlanNode {
  key: string;
  /** Keys of the targets it depends on (possibly absent from the pass). */
  dependsOn: string[];
}

export interface DependencyPlan {
  /** Every key, dependencies before their dependents; cycle members in input order. */
  order: string[];
  /** Members of a cycle → the cycle, as keys in dependency order, first repeated at the end. */
  cycles: Map<string, string[]>;
}

export function planDependencies(nodes: PlanNode[]): DependencyPlan {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const cycles = findCycles(nodes, byKey);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (node: PlanNode) => {
    if (seen.has(node.key)) return;
    seen.add(node.key);
    for (const d of node.dependsOn) {
      const dep = byKey.get(d);
      if (dep && !cycles.has(node.key)) visit(dep);
    }
    order.push(node.key);
  };
  for (const node of nodes) visit(node);
  return { order, cycles };
}

/** Tarjan's strongly connected components: a component of two or more, or a self-dependency, is a cycle. */
function findCycles(nodes: PlanNode[], byKey: Map<string, PlanNode>): Map<string, string[]> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  let next = 0;
  const strongConnect = (node: PlanNode) => {
    index.set(node.key, next);
    low.set(node.key, next);
    next++;
    stack.push(node.key);
    onStack.add(node.key);
    for (const d of node.dependsOn) {
      const dep = byKey.get(d);
      if (!dep) continue;
      if (!index.has(d)) {
        strongConnect(dep);
        low.set(node.key, Math.min(low.get(node.key) as number, low.get(d) as number));
      } else if (onStack.has(d)) {
        low.set(node.key, Math.min(low.get(node.key) as number, index.get(d) as number));
      }
    }
    if (low.get(node.key) !== index.get(node.key)) return;
    const component: string[] = [];
    for (;;) {
      const k = stack.pop() as string;
      onStack.delete(k);
      component.push(k);
      if (k === node.key) break;
    }
    if (component.length > 1 || node.dependsOn.includes(node.key)) {
      const members = new Set(component);
      for (const k of component) cycles.set(k, cycleFrom(k, members, byKey));
    }
  };
  for (const node of nodes) if (!index.has(node.key)) strongConnect(node);
  return cycles;
}

/** One path around the cycle from `start` back to it, following dependencies inside the component. */
function cycleFrom(start: string, members: Set<string>, byKey: Map<string, PlanNode>): string[] {
  const path = [start];
  const visited = new Set([start]);
  let at = start;
  for (;;) {
    const deps = byKey.get(at)?.dependsOn.filter((d) => members.has(d)) ?? [];
    if (deps.includes(start)) return [...path, start];
    const step = deps.find((d) => !visited.has(d));
    if (!step) return [...path, start];
    path.push(step);
    visited.add(step);
    at = step;
  }
}
