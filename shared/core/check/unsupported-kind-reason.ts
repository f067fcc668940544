// Why Sluice does nothing with a Flux kind it skips or ships as a plain object: named per family, so a
// migration report tells the user what they lose (notifications, image automation...) in its own words.
import { apiGroupOf } from './flux-api-version.ts';

const BY_GROUP: Record<string, string> = {
  'notification.toolkit.fluxcd.io':
    'notifications are not sent by Sluice: Alerts and Providers have no effect (sluice status shows what each object did)',
  'image.toolkit.fluxcd.io':
    'image automation is not supported by Sluice: image tags are not scanned and nothing is written back to Git',
};

const BY_KIND: Record<string, string> = {
  Receiver:
    'Flux Receivers are not served: Sluice takes Git webhooks at its control plane’s own endpoint, POST /hooks/generic',
  FluxReport: 'written by the Flux Operator; Sluice has no Flux Operator',
  ResourceSet: 'ResourceSets are not expanded by Sluice: the objects it generates are not delivered',
  ResourceSetInputProvider: 'input providers are not read by Sluice',
  ExternalArtifact:
    'an ExternalArtifact written into the fleet has no producer in Sluice (only ArtifactGenerators make them), so it was skipped',
};

/**
 * What Sluice does not do for an object of this kind, for the report's REASON column: a whole family it
 * leaves out first, then what the render said about this object (`said`), then the kind's own reason.
 */
export function unsupportedKindReason(apiVersion: string, kind: string, said?: string): string {
  return (
    BY_GROUP[apiGroupOf(apiVersion)] ??
    said ??
    BY_KIND[kind] ??
    `${apiVersion} ${kind} is not supported by Sluice yet and was skipped`
  );
}
