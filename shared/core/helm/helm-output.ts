// Splits `helm template` output into its documents, each with the chart file it came from. Helm prints
// every template document as `---\n# Source: <file>\n<doc>`; a crds/ file is printed raw, so its later
// documents carry no Source line of their own and belong to the file before them.

export interface HelmDocument {
  /** The chart path Helm names (`<chart>/templates/x.yaml`, `<chart>/charts/<sub>/crds/y.yaml`). */
  source: string;
  /** From a crds/ directory of the chart or one of its subcharts, not from a template. */
  fromCrdsDir: boolean;
  /** The document's text without the Source line. */
  text: string;
  /** The document as Helm printed it, Source line included (what `helm get manifest` stores). */
  raw: string;
}

const SOURCE_LINE = /^# Source: (.*)\n?/;
// Template documents always live under `<chart>(/charts/<sub>)*/templates/`; CRD files directly in crds/.
const CRDS_SOURCE = /^[^/]+(?:\/charts\/[^/]+)*\/crds\//;

/** True when `source` names a file in the crds/ directory of a chart or subchart. */
export function isCrdsDirSource(source: string): boolean {
  return CRDS_SOURCE.test(source);
}

export function splitHelmOutput(text: string): HelmDocument[] {
  const docs: HelmDocument[] = [];
  let source = '';
  // Helm separates documents with a bare `---`; template documents cannot hold one (Helm splits them).
  for (const chunk of text.split(/^---[ \t]*$/m)) {
    const body = chunk.replace(/^\n/, '');
    const line = SOURCE_LINE.exec(body);
    if (line) source = line[1] as string;
    const rest = line ? body.slice(line[0].length) : body;
    if (rest.trim() === '' && !line) continue;
    docs.push({
      source,
      fromCrdsDir: isCrdsDirSource(source),
      text: rest.replace(/\n+$/, '\n'),
      raw: body.replace(/\n+$/, '\n'),
    });
  }
  return docs;
}
