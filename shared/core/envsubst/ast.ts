// The parsed form of a substitution template: literal text and `${…}` expressions with their operator.

export type Operator =
  | { op: 'value' }
  | { op: 'default'; word: Node[] }
  | { op: 'length' }
  | { op: 'case'; mode: '^' | '^^' | ',' | ',,' }
  | { op: 'substring'; args: string[] }
  | { op: 'replace'; mode: '/' | '//' | '/#' | '/%'; pattern: string; replacement: string }
  | { op: 'trim'; mode: '#' | '##' | '%' | '%%'; glob: string };

export type Node = { type: 'text'; text: string } | { type: 'variable'; name: string; operator: Operator };
