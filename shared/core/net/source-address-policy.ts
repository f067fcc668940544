// Which addresses a source URL may reach. In the cloud only public ones; embedded, anything but loopback,
// unspecified and metadata addresses; in both, the operator's allow-list (host names, CIDRs or origins)
// makes exceptions, never for a metadata endpoint. Judged on every resolved address of every hop, so
// DNS and redirects cannot sneak in.
import { SluiceError } from '../errors.ts';
import { redactUrl } from '../git/select-ref.ts';
import { type AddressClass, classifyIp, formatIp, type IpAddress, inPrefix, parseIp } from './ip-address.ts';

export interface SourceAddressPolicy {
  /** Cloud: refuse every address that is not public. Otherwise only loopback, unspecified and metadata. */
  publicOnly: boolean;
  /** Exceptions: host names (`git.corp.example`), CIDRs (`10.20.0.0/16`) or origins (`http://127.0.0.1:8080`). */
  allowed: readonly string[];
  /** The setting that holds `allowed`, named in refusals as the fix. */
  allowSetting: string;
}

export type AllowEntry =
  | { kind: 'origin'; origin: string }
  | { kind: 'host'; host: string }
  | { kind: 'cidr'; prefix: IpAddress; bits: number };

/** Refused everywhere unless allow-listed: never a Git server by accident. */
const ALWAYS_REFUSED: ReadonlySet<AddressClass> = new Set([
  'loopback',
  'unspecified',
  'metadata',
  'multicast',
]);

/** One allow-list entry, or a message saying why it is not one. */
export function parseAllowEntry(text: string): AllowEntry | string {
  const entry = text.trim();
  if (entry.includes('://')) {
    try {
      const url = new URL(entry);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${entry}: only http(s) origins`;
      return { kind: 'origin', origin: url.origin };
    } catch {
      return `${entry}: not a URL`;
    }
  }
  const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const prefix = parseIp(cidr[1] as string);
    const bits = Number(cidr[2]);
    if (!prefix || bits > (prefix.family === 4 ? 32 : 128)) return `${entry}: not a CIDR range`;
    return { kind: 'cidr', prefix, bits };
  }
  const ip = parseIp(entry);
  if (ip) return { kind: 'cidr', prefix: ip, bits: ip.family === 4 ? 32 : 128 };
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(entry))
    return `${entry}: not a host name, CIDR range or origin`;
  return { kind: 'host', host: entry.toLowerCase().replace(/\.$/, '') };
}

export function parseAllowList(entries: readonly string[]): { entries: AllowEntry[]; problems: string[] } {
  const parsed = entries.filter((e) => e.trim() !== '').map(parseAllowEntry);
  return {
    entries: parsed.filter((e): e is AllowEntry => typeof e !== 'string'),
    problems: parsed.filter((e): e is string => typeof e === 'string'),
  };
}

/** The host part of a URL as the resolver takes it (no brackets, no trailing dot, lower case). */
export function urlHost(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * Throws SourceAddressRefused unless every address `url`'s host resolved to is allowed. `addresses` are
 * what the resolver returned (or the literal itself); the connection must then go to one of them.
 */
export function assertSourceAddressAllowed(
  policy: SourceAddressPolicy,
  url: URL,
  addresses: readonly string[],
): void {
  const { entries } = parseAllowList(policy.allowed);
  const originAllowed = entries.some((e) => e.kind === 'origin' && e.origin === url.origin);
  const host = urlHost(url);
  const hostAllowed = entries.some((e) => e.kind === 'host' && e.host === host);
  if (addresses.length === 0) throw refused(policy, url, `${host} did not resolve to any address`);
  for (const text of addresses) {
    const ip = parseIp(text);
    if (!ip)
      throw refused(policy, url, `${host} resolved to ${JSON.stringify(text)}, which is not an IP address`);
    const cls = classifyIp(ip);
    // No allow-list entry (origin, name or range) vouches for a metadata endpoint: it hands out
    // credentials, and a range like 169.254.0.0/16 written for something else must not open it.
    if (cls !== 'metadata') {
      if (originAllowed || hostAllowed) continue;
      if (entries.some((e) => e.kind === 'cidr' && inPrefix(ip, e.prefix, e.bits))) continue;
    }
    if (cls === 'public' || (!policy.publicOnly && !ALWAYS_REFUSED.has(cls))) continue;
    const literal = parseIp(host) !== undefined;
    const what = literal
      ? `${formatIp(ip)} is a ${cls} address`
      : `${host} resolves to ${formatIp(ip)}, a ${cls} address`;
    throw refused(policy, url, what);
  }
}

function refused(policy: SourceAddressPolicy, url: URL, why: string): SluiceError {
  return new SluiceError(
    'SourceAddressRefused',
    `source URL ${redactUrl(url.origin)} refused: ${why}; sources may not reach ${policy.publicOnly ? 'non-public' : 'loopback or metadata'} addresses. If this is your Git server, add its host name, address range or origin to ${policy.allowSetting}`,
    { field: 'spec.url' },
  );
}
