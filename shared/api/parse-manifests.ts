// Splits a multi-document YAML file into plain objects, failing with the file, document and line
// of the first syntax error so the user can fix it without guessing.
import { LineCounter, parseAllDocuments } from 'yaml';
import { SluiceError } from '../core/errors.ts';
import { isRecord } from './field-reader.ts';

export interface ParsedDocument {
  index: number;
  value: Record<string, unknown>;
}

export function parseManifests(text: string, file: string): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const out: ParsedDocument[] = [];
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new SluiceError(
        'InvalidManifest',
        `${file}: invalid YAML at line ${line}, column ${col}: ${firstLine(error.message)}; fix the syntax and commit again`,
        { file },
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // toJS throws for an alias to an unknown anchor; report it like any other syntax error.
      const node = doc.contents;
      const { line, col } = lineCounter.linePos(findAliasOffset(text, node?.range?.[0] ?? 0));
      throw new SluiceError(
        'InvalidManifest',
        `${file}: invalid YAML at line ${line}, column ${col}: ${firstLine((err as Error).message)}; fix the syntax and commit again`,
        { file },
      );
    }
    if (value === null || value === undefined) return; // empty document between `---` separators
    if (!isRecord(value)) {
      throw new SluiceError(
        'InvalidManifest',
        `${file}: document ${index + 1} is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`,
        { file },
      );
    }
    out.push({ index, value });
  });
  return out;
}

function findAliasOffset(text: string, from: number): number {
  const at = text.slice(from).search(/(^|[\s:\-[{,])\*[^\s]/m);
  return at < 0 ? from : from + at + (text[from + at] === '*' ? 0 : 1);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
