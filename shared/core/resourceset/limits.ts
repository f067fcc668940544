// Bounds on ResourceSet expansion: a ResourceSet is fleet content, so a template bomb (nested ranges, Permute
// explosion, `repeat`) must fail with a named limit instead of exhausting the render worker.

export interface ResourceSetLimits {
  /** Characters of one template (one `spec.resources[i]` as YAML, or `spec.resourcesTemplate`). */
  maxTemplateLength: number;
  /** Characters one template execution may write (and the size of any one string a function returns). */
  maxOutputLength: number;
  /** Characters all templates of one ResourceSet may write together. */
  maxTotalOutputLength: number;
  /** Nesting of blocks (if/range/with) and parentheses in one template. */
  maxNestingDepth: number;
  /** Evaluation steps (actions, loop iterations, function calls) of one ResourceSet. */
  maxSteps: number;
  /** Input sets after combining (the operator's own Permute limit is 10000). */
  maxInputSets: number;
  /** Objects one ResourceSet may generate. */
  maxObjects: number;
  /** Elements a list function (`until`, `seq`, `repeat`…) may build. */
  maxListLength: number;
}

export const DEFAULT_RESOURCE_SET_LIMITS: ResourceSetLimits = {
  maxTemplateLength: 256 * 1024,
  maxOutputLength: 4 * 1024 * 1024,
  maxTotalOutputLength: 32 * 1024 * 1024,
  maxNestingDepth: 50,
  maxSteps: 2_000_000,
  maxInputSets: 10_000,
  maxObjects: 5000,
  maxListLength: 10_000,
};
