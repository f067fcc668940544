// Which objects are Flux objects for `sluice check`: every toolkit and extensions group of fluxcd.io
// (source, kustomize, helm, notification, image, source.extensions) and the Flux Operator's group.
const FLUX_GROUP = /(^|\.)fluxcd\.io$|^fluxcd\.controlplane\.io$/;

/** The group of `group/version`; the core group (`v1`) is ''. */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** True for an object a Flux controller (or the Flux Operator) would act on. */
export function isFluxApiVersion(apiVersion: string): boolean {
  return FLUX_GROUP.test(apiGroupOf(apiVersion));
}
