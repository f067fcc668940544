// The cluster's capabilities as Helm sees them (`helm template --kube-version --api-versions`): the API
// server's version, and every served group/version plus group/version/Kind, read through discovery.
import {
  HttpMethod,
  type KubeConfig,
  KubernetesObjectApi,
  type V1APIGroupList,
  type V1APIResourceList,
  type V1APIVersions,
  type VersionInfo,
} from '@kubernetes/client-node';
import type { ClusterCapabilities } from '../../core/pipeline/records.ts';
import { reuseConnections } from './reuse-connections.ts';

/** Discovery reads of one pass; a group whose resources cannot be listed still counts by its versions. */
export async function discoverCapabilities(kubeConfig: KubeConfig): Promise<ClusterCapabilities> {
  reuseConnections(kubeConfig);
  const api = kubeConfig.makeApiClient(DiscoveryReads);
  const version = await api.discover<VersionInfo>('/version', 'VersionInfo');
  const apiVersions = new Set<string>();
  const core = await api.discover<V1APIVersions>('/api', 'V1APIVersions');
  for (const v of core.versions) apiVersions.add(v);
  const coreResources = await api.discover<V1APIResourceList>('/api/v1', 'V1APIResourceList');
  for (const r of coreResources.resources) if (!r.name.includes('/')) apiVersions.add(`v1/${r.kind}`);
  const groups = await api.discover<V1APIGroupList>('/apis', 'V1APIGroupList');
  for (const group of groups.groups) {
    for (const { groupVersion } of group.versions) {
      apiVersions.add(groupVersion);
      const list = await api
        .discover<V1APIResourceList>(`/apis/${groupVersion}`, 'V1APIResourceList')
        .catch(() => undefined);
      for (const r of list?.resources ?? [])
        if (!r.name.includes('/')) apiVersions.add(`${groupVersion}/${r.kind}`);
    }
  }
  return { kubeVersion: version.gitVersion, apiVersions: [...apiVersions].sort() };
}

/**
 * Plain GETs through the object API's request path (the kubeconfig's auth and TLS, the typed decoding),
 * rather than the generated CoreV1Api/CustomObjectsApi: those carry every endpoint of the API (about 0.7 MB
 * of code in the puller's bundle) for the five discovery reads used here.
 */
class DiscoveryReads extends KubernetesObjectApi {
  async discover<T>(path: string, type: string): Promise<T> {
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    return (await this.requestPromise(request, type)) as unknown as T;
  }
}
