// HTTP agents for the AWS SDK that connect a Bucket fetch only where the source address policy allows:
// each host is resolved, every address checked, and the socket opened to exactly those (no DNS rebinding).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { SluiceError } from '../../core/errors.ts';
import { parseIp } from '../../core/net/ip-address.ts';
import {
  assertSourceAddressAllowed,
  type SourceAddressPolicy,
  urlHost,
} from '../../core/net/source-address-policy.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';

export interface GuardedAgents {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  /** Node connects to an IP literal without a lookup: such an endpoint is checked here, before any request. */
  checkLiteral(url: URL): void;
  /** The first refusal: the SDK wraps lookup errors, the fetch reports this one instead. */
  refusal(): SluiceError | undefined;
  destroy(): void;
}

export function guardedAgents(
  policy: SourceAddressPolicy,
  resolver: HostResolver,
  scheme: 'http' | 'https',
): GuardedAgents {
  let refused: SluiceError | undefined;
  const lookup: LookupFunction = (host, options, callback) => {
    const bare = host.replace(/^\[|\]$/g, '');
    const checked = async (): Promise<string[]> => {
      const addresses = parseIp(bare) ? [bare] : await resolver.resolve(bare);
      assertSourceAddressAllowed(
        policy,
        new URL(`${scheme}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}`),
        addresses,
      );
      return addresses;
    };
    checked().then(
      (addresses) => {
        const all = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
        else callback(null, all[0]?.address ?? '', all[0]?.family ?? 4);
      },
      (err: unknown) => {
        refused ??= err as SluiceError;
        callback(err as NodeJS.ErrnoException, '', 4);
      },
    );
  };
  const httpAgent = new HttpAgent({ keepAlive: true, lookup });
  const httpsAgent = new HttpsAgent({ keepAlive: true, lookup });
  return {
    httpAgent,
    httpsAgent,
    checkLiteral: (url) => {
      const host = urlHost(url);
      if (parseIp(host)) assertSourceAddressAllowed(policy, url, [host]);
    },
    refusal: () => refused,
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
