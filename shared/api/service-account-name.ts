// What a ServiceAccount name may be (a DNS-1123 subdomain, as Kubernetes validates it): the puller
// impersonates `system:serviceaccount:<namespace>:<name>`, so a name with `:` would name another user.
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Field-reader rules; the pattern lets '' through so that an empty name is reported once, by minLength. */
export const SERVICE_ACCOUNT_NAME = {
  minLength: 1,
  maxLength: 253,
  pattern: new RegExp(`^$|${SUBDOMAIN.source}`),
  patternHint: 'a ServiceAccount name (lowercase letters, digits, "-" and ".")',
} as const;

export function isServiceAccountName(name: string): boolean {
  return name.length >= 1 && name.length <= SERVICE_ACCOUNT_NAME.maxLength && SUBDOMAIN.test(name);
}
