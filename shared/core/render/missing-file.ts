// kustomize reports a missing file or directory as an `lstat …: no such file or directory` deep in a
// chain of "accumulating resources"; this pulls out the path so the message can say "not found" plainly.

const MISSING = /(?:lstat|open|stat) ([^\s':]+): no such file or directory/g;

/** `"<path>" not found in the repository; …` for kustomize's error text, or undefined when nothing is missing. */
export function missingFileHint(kustomizeMessage: string): string | undefined {
  const paths = [...kustomizeMessage.matchAll(MISSING)].map((m) => m[1] ?? '');
  // The last one is the deepest: the path kustomize finally failed to find.
  const path = paths.at(-1);
  if (!path) return undefined;
  return `${JSON.stringify(path)} not found in the repository; fix the reference to it or commit it`;
}
