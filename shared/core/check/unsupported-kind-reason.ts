// Why Sluice does nothing with a Flux kind it skips or ships as a plain object: named per family, so a
// migration report tells the user what they lose (notifications, image automation...) in its own words.
import { apiGroupOf } from './flux-api-version.ts';

const BY_GROUP: Record<string, string> = {
  'notification.toolkit.fluxcd.io':
    'notifications are not sent by Sluice: Alerts and Providers have no effect (sluice status shows what each object did)',
  'image.toolkit.fluxcd.io':
    'image automation is not supported by Sluice: image tags are not scanned and nothing is written back to Git',
};

/** Kinds whose loss is not their family's: a Receiver is a webhook endpoint, not a notification. */
const BEFORE_GROUP: Record<string, string> = {
  Receiver:
    'Flux Receivers are not served: Sluice takes Git webhooks at its control plane’s own endpoint, POST /hooks/generic',
};

const BY_KIND: Record<string, string> = {
  FluxReport: 'written by the Flux Operator; Sluice has no Flux Operator',
  ExternalArtifact:
    'an ExternalArtifact written into the fleet has no producer in Sluice (only ArtifactGenerators make them), so it was skipped',
};

/**
 * What Sluice does not do for an object of this kind, for the report's REASON column: a whole family it
 * leaves out first (but for a kind that differs from its family), then what the render said about this
 * object (`said`), then the kind's own reason.
 */
export function unsupportedKindReason(apiVersion: string, kind: string, said?: string): string {
  const group = apiGroupOf(apiVersion);
  return (
    (group === 'notification.toolkit.fluxcd.io' ? BEFORE_GROUP[kind] : undefined) ??
    BY_GROUP[group] ??
    said ??
    BY_KIND[kind] ??
    `${apiVersion} ${kind} is not supported by Sluice yet and was skipped`
  );
}
