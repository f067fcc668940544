// RFC 6901 JSON pointers over plain JSON objects (`/spec/replicas`, `/data/a~1b` for the key `a/b`): read,
// remove and set one field, and the pointer as Kubernetes names a field (`.spec.replicas`) in reports.

type Json = unknown;

/** The reference tokens of a pointer; undefined when it is not one (it must be empty or start with `/`). */
export function pointerTokens(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function child(node: Json, token: string): { found: boolean; value?: Json } {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(token)) return { found: false };
    const i = Number(token);
    return i < node.length ? { found: true, value: node[i] } : { found: false };
  }
  if (node !== null && typeof node === 'object' && Object.hasOwn(node, token))
    return { found: true, value: (node as Record<string, Json>)[token] };
  return { found: false };
}

/** The value at `pointer`; `found` false when any step is missing (not an error, as in Flux). */
export function readPointer(root: Json, pointer: string): { found: boolean; value?: Json } {
  const tokens = pointerTokens(pointer);
  if (!tokens) return { found: false };
  let node: { found: boolean; value?: Json } = { found: true, value: root };
  for (const token of tokens) {
    node = child(node.value, token);
    if (!node.found) return node;
  }
  return node;
}

/** Removes the field at `pointer` in place; a missing field is left as it is. */
export function removePointer(root: Json, pointer: string): void {
  const tokens = pointerTokens(pointer);
  if (!tokens || tokens.length === 0) return;
  const parent = readPointer(root, toPointer(tokens.slice(0, -1)));
  const last = tokens[tokens.length - 1] as string;
  if (!parent.found || !child(parent.value, last).found) return;
  if (Array.isArray(parent.value)) parent.value.splice(Number(last), 1);
  else delete (parent.value as Record<string, Json>)[last];
}

/** Sets the field at `pointer` in place when its parent exists (an existing list item or map key). */
export function setPointer(root: Json, pointer: string, value: Json): void {
  const tokens = pointerTokens(pointer);
  if (!tokens || tokens.length === 0) return;
  const parent = readPointer(root, toPointer(tokens.slice(0, -1)));
  const last = tokens[tokens.length - 1] as string;
  if (!parent.found || parent.value === null || typeof parent.value !== 'object') return;
  if (Array.isArray(parent.value)) {
    if (child(parent.value, last).found) parent.value[Number(last)] = value;
  } else (parent.value as Record<string, Json>)[last] = value;
}

export function toPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** A field as Kubernetes names it: `.spec.replicas`, `.data["tls.crt"]`, `.spec.containers[0].image`. */
export function fieldName(tokens: readonly (string | number)[]): string {
  return tokens
    .map((t) =>
      typeof t === 'number' ? `[${t}]` : /^[A-Za-z0-9_-]+$/.test(t) ? `.${t}` : `[${JSON.stringify(t)}]`,
    )
    .join('');
}
