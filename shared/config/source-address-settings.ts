// The source address policy of each mode, from its settings. The fleet's own origin is always allowed
// (the operator chose it); everything else loopback, private or metadata needs an explicit entry.
import { SluiceError } from '../core/errors.ts';
import { parseAllowList, type SourceAddressPolicy } from '../core/net/source-address-policy.ts';

/** Cloud: only public addresses, unless SLUICE_RESTRICT_SOURCE_ADDRESSES=false. */
export function cloudSourcePolicy(settings: {
  fleetUrl: string;
  restrictSourceAddresses: boolean;
  allowedSourceHosts: readonly string[];
}): SourceAddressPolicy {
  return {
    publicOnly: settings.restrictSourceAddresses,
    allowed: [...originOf(settings.fleetUrl), ...settings.allowedSourceHosts],
    allowSetting: 'SLUICE_ALLOWED_SOURCE_HOSTS',
  };
}

/** Embedded: loopback and metadata refused except the fleet's origin (its own Git server) and `extra`. */
export function embeddedSourcePolicy(fleetUrl: string, extra: readonly string[] = []): SourceAddressPolicy {
  const { problems } = parseAllowList(extra);
  if (problems.length > 0) {
    throw new SluiceError('ConfigInvalid', `allowedSourceHosts: ${problems.join('; ')}`, {
      field: 'allowedSourceHosts',
    });
  }
  return {
    publicOnly: false,
    allowed: [...originOf(fleetUrl), ...extra],
    allowSetting: 'allowedSourceHosts (sluice serve --allow-source-host)',
  };
}

function originOf(url: string): string[] {
  try {
    return url ? [new URL(url).origin] : [];
  } catch {
    return [];
  }
}
