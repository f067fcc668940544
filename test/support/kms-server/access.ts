// Who may use which key, and when: per-caller deny rules (a key policy denying a role), disabled keys and
// throttling, checked before an operation runs in real KMS's order (throttle, authorize, key state).

import { keyIdOf } from './envelope.ts';
import { KmsError } from './errors.ts';
import { type Body, optionalString } from './fields.ts';
import type { KeyStore, KmsKey } from './keys.ts';

/** A key policy statement denying one caller (by the access key it signs with) some or all operations. */
export interface KmsDenyRule {
  /** The key: id, key ARN, alias name or alias ARN. */
  key: string;
  /** The SigV4 access key id of the denied caller (e.g. the role session's `ASIA…`). */
  accessKeyId: string;
  /** The principal named in the error, as KMS names the caller (`arn:aws:sts::…:assumed-role/…`). */
  principal: string;
  /** Operations denied, e.g. `['Decrypt']`; all when absent. */
  operations?: readonly string[];
  /**
   * An explicit `"Effect": "Deny"` statement (KMS: "with an explicit deny …") rather than a principal the
   * key policy does not allow (the default, and the usual IRSA mistake: "because no resource-based policy allows …").
   */
  explicit?: boolean;
}

/** Operations a disabled key refuses (DescribeKey still answers, as in real KMS). */
const NEEDS_ENABLED = new Set([
  'Sign',
  'Verify',
  'GetPublicKey',
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
]);

export class AccessControl {
  private readonly denies: (Omit<KmsDenyRule, 'key'> & { keyId: string })[] = [];
  private throttles: { remaining: number; operation?: string }[] = [];

  deny(store: KeyStore, rule: KmsDenyRule): void {
    const { key, ...rest } = rule;
    this.denies.push({ ...rest, keyId: store.resolve(key).id });
  }

  setEnabled(store: KeyStore, key: string, enabled: boolean): void {
    store.resolve(key).disabled = !enabled;
  }

  throttle(calls: number, operation?: string): void {
    this.throttles.push({ remaining: calls, operation });
  }

  /** Throws the KmsError real KMS would answer before running `operation`, if any. */
  check(store: KeyStore, operation: string, body: Body, accessKeyId: string): void {
    const throttle = this.throttles.find((t) => t.operation === undefined || t.operation === operation);
    if (throttle) {
      throttle.remaining--;
      this.throttles = this.throttles.filter((t) => t.remaining > 0);
      throw new KmsError('ThrottlingException', 'Rate exceeded');
    }
    const key = targetKey(store, operation, body);
    if (!key) return;
    const denied = this.denies.find(
      (d) =>
        d.keyId === key.id &&
        d.accessKeyId === accessKeyId &&
        (d.operations === undefined || d.operations.includes(operation)),
    );
    if (denied) {
      // Real KMS's wording: the principal and the key ARN, never the credentials or the request data.
      throw new KmsError(
        'AccessDeniedException',
        `User: ${denied.principal} is not authorized to perform: kms:${operation} on resource: ${key.arn} ${
          denied.explicit
            ? 'with an explicit deny in a resource-based policy'
            : `because no resource-based policy allows the kms:${operation} action`
        }`,
      );
    }
    if (key.disabled && NEEDS_ENABLED.has(operation)) {
      throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    }
  }
}

/** The key a request acts on, or undefined when the operation itself should report a bad request. */
function targetKey(store: KeyStore, operation: string, body: Body): KmsKey | undefined {
  try {
    const keyId = optionalString(body, 'KeyId');
    if (keyId !== undefined && keyId !== '') return store.resolve(keyId);
    if (operation !== 'Decrypt') return undefined;
    const blob = optionalString(body, 'CiphertextBlob');
    return blob === undefined ? undefined : store.byId(keyIdOf(Buffer.from(blob, 'base64')));
  } catch (err) {
    if (err instanceof KmsError) return undefined;
    throw err;
  }
}
