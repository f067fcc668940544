// The cluster's capabilities as Helm sees them (`helm template --kube-version --api-versions`): the API
// server's version, and every served group/version plus group/version/Kind, read through discovery.
import {
  ApisApi,
  CoreApi,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  VersionApi,
} from '@kubernetes/client-node';
import type { ClusterCapabilities } from '../../core/pipeline/records.ts';

/** Discovery reads of one pass; a group whose resources cannot be listed still counts by its versions. */
export async function discoverCapabilities(kubeConfig: KubeConfig): Promise<ClusterCapabilities> {
  const version = await kubeConfig.makeApiClient(VersionApi).getCode();
  const apiVersions = new Set<string>();
  const core = await kubeConfig.makeApiClient(CoreApi).getAPIVersions();
  for (const v of core.versions) apiVersions.add(v);
  const coreResources = await kubeConfig.makeApiClient(CoreV1Api).getAPIResources();
  for (const r of coreResources.resources) if (!r.name.includes('/')) apiVersions.add(`v1/${r.kind}`);
  const groups = await kubeConfig.makeApiClient(ApisApi).getAPIVersions();
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  for (const group of groups.groups) {
    for (const { groupVersion, version: v } of group.versions) {
      apiVersions.add(groupVersion);
      const list = await custom.getAPIResources({ group: group.name, version: v }).catch(() => undefined);
      for (const r of list?.resources ?? [])
        if (!r.name.includes('/')) apiVersions.add(`${groupVersion}/${r.kind}`);
    }
  }
  return { kubeVersion: version.gitVersion, apiVersions: [...apiVersions].sort() };
}
