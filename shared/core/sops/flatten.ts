// Rebuilds the nested `sops` metadata that dotenv and INI stores keep flattened (SPEC-SOPS §9.4–9.5,
// stores/flatten.go): `__map_<key>` descends into a map, `__list_<i>` into a dense list.
import { SluiceError } from '../errors.ts';

const TOKEN = /__(map|list)_/;

/** `flat` maps flattened keys (prefix already removed) to string values. */
export function unflatten(flat: ReadonlyMap<string, string>, file: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const key of [...flat.keys()].sort()) {
    const value = flat.get(key) ?? '';
    const parts = key.split(TOKEN);
    // parts = [first, kind, name, kind, name, …]
    let holder: Record<string, unknown> | unknown[] = root;
    let slot: string | number = parts[0] ?? '';
    for (let i = 1; i < parts.length; i += 2) {
      const kind = parts[i];
      const name = parts[i + 1] ?? '';
      const existing: unknown = (holder as Record<string | number, unknown>)[slot];
      const next: Record<string, unknown> | unknown[] =
        existing && typeof existing === 'object'
          ? (existing as Record<string, unknown>)
          : kind === 'list'
            ? []
            : {};
      (holder as Record<string | number, unknown>)[slot] = next;
      holder = next;
      if (kind === 'list') {
        if (!/^\d+$/.test(name) || !Array.isArray(next)) throw bad(file, key);
        slot = Number(name);
      } else slot = name;
    }
    (holder as Record<string | number, unknown>)[slot] = value;
  }
  checkDense(root, file);
  return root;
}

function checkDense(v: unknown, file: string): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw bad(file, `index ${i}`);
      checkDense(v[i], file);
    }
  } else if (v && typeof v === 'object') for (const x of Object.values(v)) checkDense(x, file);
}

function bad(file: string, key: string): SluiceError {
  return new SluiceError(
    'ValidationFailed',
    `${file}: flattened sops metadata key ${key} is not a valid list path.`,
    {
      file,
    },
  );
}
