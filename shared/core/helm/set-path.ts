// A valuesFrom value put at its targetPath, as Flux's chartutil.ReplacePathValue / ReplacePathLiteralValue do:
// the path and value go through Helm's `--set` parser, so `a.b[0]`, `\.` and the value's typing match Flux.
import { parseInto } from './strvals.ts';

/**
 * Sets `value` at `path` in `values`, in place (Flux mutates the map it is given, and its merge order relies
 * on that). Unquoted values are typed as `--set` types them (`true`, `3`, `{a,b}`) and a comma starts another
 * assignment; a value wholly in single or double quotes is a string with every outer quote trimmed; `literal`
 * takes the value verbatim (`--set-literal`). Throws StrvalsError for a line Helm refuses.
 */
export function setPath(values: Record<string, unknown>, path: string, value: string, literal = false): void {
  if (literal) {
    // Escaping the parser's metacharacters yields the value verbatim while the path keeps its `\.` escapes.
    parseInto(`${path}=${value.replace(/[\\,[\]{}]/g, (c) => `\\${c}`)}`, values, true);
    return;
  }
  const singleQuoted = value.startsWith("'") && value.endsWith("'");
  const doubleQuoted = value.startsWith('"') && value.endsWith('"');
  if (singleQuoted || doubleQuoted) {
    parseInto(`${path}=${trimQuotes(value)}`, values, true);
    return;
  }
  parseInto(`${path}=${value}`, values);
}

/** Go's strings.Trim(value, `'"`): every leading and trailing quote of either kind. */
function trimQuotes(value: string): string {
  return value.replace(/^['"]+/, '').replace(/['"]+$/, '');
}
