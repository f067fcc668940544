// Kubernetes label selector expressions (`app=web,tier!=db`, `env in (a,b)`, `!legacy`), as Flux's drift
// ignore rules use them for labels and annotations. Parsed once; a bad expression names itself.
import { SluiceError } from '../errors.ts';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas outside parentheses. */
function clauses(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of expr) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((c) => c.trim()).filter((c) => c !== '');
}

function requirement(clause: string, expr: string): Requirement {
  const set = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(clause);
  if (set)
    return {
      key: set[1] as string,
      op: set[2] as 'in' | 'notin',
      values: (set[3] as string).split(',').map((v) => v.trim()),
    };
  const cmp = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(clause);
  if (cmp)
    return {
      key: cmp[1] as string,
      op: cmp[2] === '!=' ? 'notin' : 'in',
      values: [cmp[3] as string],
    };
  const exists = /^(!?)\s*([^\s!=(),]+)$/.exec(clause);
  if (exists) return { key: exists[2] as string, op: exists[1] ? 'notexists' : 'exists' };
  throw new SluiceError('ValidationFailed', `invalid label selector ${JSON.stringify(expr)}`);
}

export function parseLabelSelector(expr: string): LabelMatcher {
  const requirements = clauses(expr).map((c) => requirement(c, expr));
  return (labels = {}) =>
    requirements.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        case 'in':
          return has && r.values.includes(labels[r.key] as string);
        default:
          return !has || !r.values.includes(labels[r.key] as string);
      }
    });
}
