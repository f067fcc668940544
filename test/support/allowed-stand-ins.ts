// The source servers a test file starts (chart repositories, OCI registries), each let through by the address
// policy that reads `allowed` on every request as it starts, and all closed together.
import { type ChartRepoServer, startChartRepoServer } from './chart-repo-server.ts';
import { type OciRegistry, startOciRegistry } from './oci-registry.ts';

export class AllowedStandIns {
  /** Origins the test's address policy lets through: every stand-in, added as it starts. */
  readonly allowed: string[] = [];
  private readonly started: { close(): Promise<void> }[] = [];

  async chartServer(opts: Parameters<typeof startChartRepoServer>[0] = {}): Promise<ChartRepoServer> {
    return this.add(await startChartRepoServer(opts));
  }

  async ociRegistry(opts: Parameters<typeof startOciRegistry>[0] = {}): Promise<OciRegistry> {
    return this.add(await startOciRegistry(opts));
  }

  /** A server started elsewhere (a git server), allowed and closed with the rest. */
  add<S extends { origin: string; close(): Promise<void> }>(server: S): S {
    this.started.push(server);
    this.allowed.push(server.origin);
    return server;
  }

  async close(): Promise<void> {
    for (const s of this.started.splice(0)) await s.close();
  }
}
