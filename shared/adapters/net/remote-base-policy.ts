// RemotePolicy for remote bases (when an operator enabled them): the reference's host must resolve to
// addresses the policy allows — public ones, or the operator's allow-list — never loopback or metadata.

import { parseIp } from '../../core/net/ip-address.ts';
import {
  assertSourceAddressAllowed,
  type SourceAddressPolicy,
  urlHost,
} from '../../core/net/source-address-policy.ts';
import { remoteRefUrl } from '../../core/render/remote-ref.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';
import type { RemotePolicy } from '../../usecases/render-kustomization.ts';
import { systemResolver } from './system-resolver.ts';

export function remoteBasePolicy(
  policy: SourceAddressPolicy,
  resolver: HostResolver = systemResolver,
): RemotePolicy {
  return {
    async assertAllowed(ref) {
      const url = remoteRefUrl(ref);
      const host = urlHost(url);
      // A failed lookup is refused like an address that is not allowed: kustomize would fail on it anyway.
      const addresses = parseIp(host) ? [host] : await resolver.resolve(host).catch(() => []);
      assertSourceAddressAllowed(policy, url, addresses);
    },
  };
}

/** Remote bases reach public addresses only, plus what the operator listed under `setting`. */
export function publicRemoteBases(allowed: readonly string[], setting: string): RemotePolicy {
  return remoteBasePolicy({ publicOnly: true, allowed, allowSetting: setting });
}
