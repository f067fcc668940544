// A small IAM policy evaluator: enough of AWS's rules (explicit deny wins, wildcards in actions and ARNs,
// StringEquals/StringLike conditions) for the embedded store to enforce the cloud's own policy documents.

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocumentLike {
  Statement: PolicyStatement[];
}

export interface AccessRequest {
  /** `s3:GetObject`, `sqs:ReceiveMessage`, … */
  action: string;
  /** The resource's ARN. */
  resource: string;
  /** Condition keys the request carries, e.g. `s3:prefix`. */
  context?: Record<string, string>;
}

export function isAllowed(policy: PolicyDocumentLike, request: AccessRequest): boolean {
  const applies = (s: PolicyStatement) =>
    s.Action.some((a) => glob(a.toLowerCase(), request.action.toLowerCase())) &&
    s.Resource.some((r) => glob(r, request.resource)) &&
    conditionsHold(s.Condition, request.context ?? {});
  const matching = policy.Statement.filter(applies);
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function conditionsHold(condition: PolicyStatement['Condition'], context: Record<string, string>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, wanted] of Object.entries(keys)) {
      const value = context[key];
      // A key the request does not carry never satisfies a condition (as in IAM).
      if (value === undefined) return false;
      const options = Array.isArray(wanted) ? wanted : [wanted];
      const match =
        operator === 'StringEquals'
          ? options.includes(value)
          : operator === 'StringLike'
            ? options.some((o) => glob(o, value))
            : false;
      if (!match) return false;
    }
  }
  return true;
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
function glob(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}
