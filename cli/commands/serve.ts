// `sluice serve` (what `npm start` runs): the embedded control plane on this machine, no AWS account.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../../embedded/control-plane.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import type { ClusterRootSettings } from '../../shared/core/fleet/cluster-root.ts';
import { consoleLogger } from '../../shared/ports/logger.ts';

export interface ServeArgs {
  dataDir: string;
  clusters: string[];
  /** --cluster-path/--cluster-branch/--cluster-root/--cluster-var, by cluster. */
  clusterRoots?: Record<string, ClusterRootSettings>;
  fleetUrl?: string;
  fleetBranch: string;
  host: string;
  apiPort: number;
  gitPort: number;
  queuePort: number;
  puller: boolean;
  webhookSecret?: string;
  /** Flux's `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean;
  maxObjectsPerRender?: number;
  maxChildrenPerKustomization?: number;
  /** Git hosts on loopback or metadata addresses sources may reach besides the fleet's origin. */
  allowedSourceHosts?: string[];
  /** `auto` (bubblewrap when the host has it), `bwrap` (required) or `none`. */
  renderSandbox?: 'auto' | 'bwrap' | 'none';
  /** Where to tell `sluice status`/`reconcile` in other directories how to reach this control plane. */
  contextFile?: string;
}

/** `http://user:<secret>@host/…`: the secret part is a shell expression, never the token itself. */
function withUser(url: string, user: string, secret: string): string {
  return url.replace(/^(https?:\/\/)/, `$1${user}:${secret}@`);
}

const exampleFleet = fileURLToPath(new URL('../../examples/fleet', import.meta.url));

export async function serve(args: ServeArgs): Promise<void> {
  const log = consoleLogger();
  let plane: Awaited<ReturnType<typeof startControlPlane>>;
  try {
    plane = await startControlPlane({
      dataDir: resolve(args.dataDir),
      clusters: args.clusters,
      ...(args.clusterRoots && { clusterRoots: args.clusterRoots }),
      ...(args.fleetUrl && { fleet: { url: args.fleetUrl, branch: args.fleetBranch, intervalMs: 60_000 } }),
      exampleFleetDir: exampleFleet,
      host: args.host,
      ports: { api: args.apiPort, git: args.gitPort, queue: args.queuePort },
      ...(args.webhookSecret && { webhookSecret: args.webhookSecret }),
      kube: args.puller ? 'default' : 'none',
      ...(args.renderSandbox && { renderSandbox: args.renderSandbox }),
      ...(args.noCrossNamespaceRefs && { noCrossNamespaceRefs: true }),
      ...(args.maxObjectsPerRender && { maxObjectsPerRender: args.maxObjectsPerRender }),
      ...(args.maxChildrenPerKustomization && {
        maxChildrenPerKustomization: args.maxChildrenPerKustomization,
      }),
      ...(args.allowedSourceHosts && { allowedSourceHosts: args.allowedSourceHosts }),
      ...(args.contextFile && { contextFile: args.contextFile }),
      log,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new SluiceError(
        'ConfigInvalid',
        `a port is already in use (${e.message}); stop the other process or pass --port/--git-port/--queue-port`,
      );
    }
    throw err;
  }
  // Paths as the user spelled the data directory, so printed commands work where they ran `npm start`.
  const dataDir = resolve(args.dataDir);
  const shown = (path: string) =>
    path.startsWith(`${dataDir}/`) ? join(args.dataDir, path.slice(dataDir.length + 1)) : path;
  const lines = [
    '',
    'Sluice control plane is running (embedded mode, nothing leaves this machine).',
    `  fleet repository   ${plane.fleetUrl}${args.fleetUrl ? '' : '  (the example fleet; clone it, change it, push)'}`,
    ...(plane.fleetAuth
      ? [
          `                     user ${plane.fleetAuth.username}, password in ${shown(plane.fleetAuth.tokenFile)}; clone with:`,
          `                     git clone "${withUser(plane.fleetUrl, plane.fleetAuth.username, `$(cat ${shown(plane.fleetAuth.tokenFile)})`)}"`,
        ]
      : []),
    `  clusters           ${args.clusters.join(', ')}`,
    `  status             ${plane.apiUrl}/api/status   or: sluice status${plane.apiTokenFile ? `  (Authorization: Bearer <token in ${shown(plane.apiTokenFile)}>)` : ''}`,
    `  webhook            POST ${plane.apiUrl}/hooks/generic   (X-Hub-Signature-256: sha256=HMAC of the body; secret in ${join(args.dataDir, 'webhook-secret')})`,
    `  queues and store   ${plane.queueEndpoint}  (SQS/S3-compatible, data in ${join(args.dataDir, 'queue-store')}; SigV4 keys in ${shown(plane.storeCredentialsFile)})`,
    `  signing key        ${join(args.dataDir, 'keys', 'signing-key.pem')}  (ECDSA P-256, mode 0600)`,
    `  SOPS age key       ${shown(plane.sops.keyFile)}  (encrypt fleet files to ${plane.sops.recipient})`,
    plane.renderSandbox === 'bwrap'
      ? '  render sandbox     bubblewrap (kustomize sees only the snapshot: no network, no credentials, no keys)'
      : '  render sandbox     NONE (kustomize runs unconfined but for an empty environment and time/memory limits: a commit to a rendered repository could read this machine)',
    plane.puller.state === 'running'
      ? `  puller             applying cluster "${plane.puller.cluster}" to the kubeconfig's current context`
      : `  puller             not running: ${plane.puller.reason}. Rendering and publishing continue; artifacts wait in the store.`,
    '',
    'Press Ctrl-C to stop; queued work and artifacts are kept for the next start.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  await new Promise<void>((done) => {
    const stop = () => {
      process.stdout.write('\nstopping…\n');
      plane.close().then(done, done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
