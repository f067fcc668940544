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
  FluxInstance: 'the Flux Operator is not run by Sluice: its spec.sync and components are not read',
  FluxReport: 'written by the Flux Operator; Sluice has no Flux Operator',
  ResourceSet: 'ResourceSets are not expanded by Sluice: the objects it generates are not delivered',
  ResourceSetInputProvider: 'input providers are not read by Sluice',
  ArtifactGenerator:
    'ArtifactGenerators are not run by Sluice: the ExternalArtifacts they produce do not exist',
  ExternalArtifact: 'ExternalArtifacts are not supported by Sluice as sources',
};

/** What Sluice does not do for an object of this kind, for the report's REASON column. */
export function unsupportedKindReason(apiVersion: string, kind: string): string {
  return (
    BY_KIND[kind] ??
    BY_GROUP[apiGroupOf(apiVersion)] ??
    `${apiVersion} ${kind} is not supported by Sluice yet and was skipped`
  );
}
