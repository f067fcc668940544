// Values files merged the way Flux's transform.MergeMaps does: maps merge key by key, recursively;
// anything else (lists, scalars, null) from the later file replaces the earlier value whole.

export type Values = Record<string, unknown>;

export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const earlier = out[key];
    out[key] = isMap(value) && isMap(earlier) ? mergeValues(earlier, value) : value;
  }
  return out;
}

function isMap(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
