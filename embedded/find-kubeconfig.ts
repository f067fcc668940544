// Where the local puller's kubeconfig comes from, looked up the way kubectl does ($KUBECONFIG's files, else
// ~/.kube/config, else the pod's service account), so "no kubeconfig" is said as such and names the paths.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** The variables the lookup reads; process.env in production, a test's own values otherwise. */
export interface KubeconfigEnv {
  KUBECONFIG?: string | undefined;
  HOME?: string | undefined;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The loaded kubeconfig, or why there is none (naming every path looked at and how to point at one). */
export function findKubeconfig(env: KubeconfigEnv): { config: KubeConfig } | { reason: string } {
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f);
  const home = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  // As kubectl: files of $KUBECONFIG that do not exist are skipped, and $KUBECONFIG wins over ~/.kube/config.
  const files =
    listed.length > 0 ? listed.filter((f) => existsSync(f)) : home && existsSync(home) ? [home] : [];
  const config = new KubeConfig();
  if (files.length === 0) {
    if (listed.length === 0 && existsSync(SERVICE_ACCOUNT_TOKEN)) {
      config.loadFromCluster();
      return { config };
    }
    const looked = [
      listed.length > 0 ? `$KUBECONFIG=${listed.join(delimiter)}` : '$KUBECONFIG (not set)',
      ...(listed.length > 0 ? [] : [home ?? '~/.kube/config ($HOME not set)']),
    ];
    return {
      reason: `no kubeconfig found (looked in ${looked.join(', ')}); point at one with KUBECONFIG=/path/to/kubeconfig, or pass --no-puller to run without a cluster`,
    };
  }
  try {
    config.loadFromFile(files[0] as string);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      config.mergeConfig(more);
    }
  } catch (err) {
    return {
      reason: `the kubeconfig ${files.join(delimiter)} could not be read (${(err as Error).message}); fix it, point KUBECONFIG at another, or pass --no-puller`,
    };
  }
  return { config };
}
