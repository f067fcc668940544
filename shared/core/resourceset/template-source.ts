// The text the operator runs as a `spec.resources[i]` template: the object printed as YAML the way
// sigs.k8s.io/yaml prints it, where a string that cannot stay plain is single-quoted (go-yaml's choice), so
// `<< x | quote >>` inside it still renders valid YAML, as it does on the operator.
import { Document, type ToStringOptions } from 'yaml';
import { type KubeObject, yaml11Tags } from '../render/yaml-codec.ts';

const OPTIONS: ToStringOptions = {
  indent: 2,
  indentSeq: false,
  lineWidth: 0,
  minContentWidth: 0,
  blockQuote: 'literal',
  defaultStringType: 'PLAIN',
  defaultKeyType: 'PLAIN',
  singleQuote: true,
};

export function templateSource(resource: KubeObject): string {
  const doc = new Document(resource, {
    version: '1.1',
    schema: 'yaml-1.1',
    customTags: yaml11Tags,
    sortMapEntries: true,
  });
  return doc.toString(OPTIONS);
}
