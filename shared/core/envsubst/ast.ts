// The parsed form of a substitution template: literal text, lists, and `${…}` functions. A function has
// the variable (`param`), the operator as written (`name`: '', ':-', '//', '^^', …) and argument nodes.

export type Node =
  | { type: 'text'; value: string }
  | { type: 'list'; nodes: Node[] }
  | { type: 'func'; param: string; name: string; args: Node[] };
