// The control plane's state in the object store: the only code that knows its keys (state-keys.ts) and
// reads or writes its records. Every record is written with its schema version and checked on every
// read (record-codec.ts). Secret data is read and written here only, so encryption at rest slots in here.
import type { Signed } from '../core/artifact/artifact.ts';
import { artifactKey } from '../core/artifact/artifact.ts';
import { isSluiceError, SluiceError } from '../core/errors.ts';
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import { decodeRecord, encodeRecord, type RecordSchema } from '../core/pipeline/record-codec.ts';
import {
  capabilitiesSchema,
  clusterSourceSchema,
  configRecordSchema,
  dataKeyRecordSchema,
  declarationsSchema,
  fetchSpecSchema,
  fetchStateSchema,
  helmReleaseRecordSchema,
  kustomizationRecordSchema,
  sourceDeclarerSchema,
  sourceWaiterSchema,
} from '../core/pipeline/record-schemas.ts';
import type {
  ClusterCapabilities,
  ClusterSourceRecord,
  ConfigRecord,
  DataKeyRecord,
  Declarations,
  FetchSpec,
  FetchState,
  HelmReleaseRecord,
  IndexEntry,
  KustomizationRecord,
  RenderStatus,
  SourceDeclarer,
  SourceWaiter,
  TargetRecord,
} from '../core/pipeline/records.ts';
import type { SourceKind } from '../core/pipeline/source-kind.ts';
import {
  fetchUserFromPath,
  isFetchSpecKey,
  keyFromPath,
  legacyKeys,
  type ObjectKey,
  type SourceRef,
  stateKeys,
  targetFromPath,
} from '../core/pipeline/state-keys.ts';
import { kustomizationTarget, type Target, targetKey } from '../core/pipeline/target.ts';
import { targetOfRecord } from '../core/pipeline/target-record.ts';
import {
  applyStatusSchema,
  indexEntrySchema,
  renderStatusSchema,
} from '../core/pipeline/target-record-schemas.ts';
import { openConfig, sealConfig } from '../core/secrets/seal-config.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { DataKeyService } from '../ports/data-keys.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { type ClusterSecrets, clusterSecretsOf, type DataKeyRecords } from './secrets/cluster-secrets.ts';

export class StateStore implements DataKeyRecords {
  private readonly store: ObjectStore;
  private readonly secrets: ClusterSecrets | undefined;

  /** Without `secrets`, Secret records can be neither written nor read (their values are sealed). */
  constructor(store: ObjectStore, secrets?: ClusterSecrets) {
    this.store = store;
    this.secrets = secrets;
  }

  // ---- sources ------------------------------------------------------------------------------------

  /**
   * Every source. Without `unreadable`, a spec that cannot be read throws its ConfigInvalid (naming the
   * key); with it, the spec is handed to it and left out (the scheduler goes on with the other sources).
   */
  async listFetchSpecs(unreadable?: (err: SluiceError) => void): Promise<FetchSpec[]> {
    const specs: FetchSpec[] = [];
    for (const key of await this.store.list(stateKeys.fetchSpecs())) {
      if (!isFetchSpecKey(key)) continue;
      // Withdrawn between the list and the read: no longer a source.
      const spec = await this.read(fetchSpecSchema, key).catch((err: unknown) => {
        if (!unreadable || !isSluiceError(err) || err.code !== 'ConfigInvalid') throw err;
        unreadable(err);
        return undefined;
      });
      if (spec) specs.push(spec);
    }
    return specs;
  }

  getFetchSpec = (sourceKey: string) => this.read(fetchSpecSchema, stateKeys.fetchSpec(sourceKey));
  putFetchSpec = (spec: FetchSpec) => this.write(stateKeys.fetchSpec(spec.sourceKey), spec);

  getFetchState = (sourceKey: string) => this.read(fetchStateSchema, stateKeys.fetchState(sourceKey));
  putFetchState = (state: FetchState) => this.write(stateKeys.fetchState(state.sourceKey), state);

  /** Every declaration of the source (a GitRepository of a cluster, or the fleet repository). */
  async listDeclarers(sourceKey: string): Promise<SourceDeclarer[]> {
    const keys = await this.store.list(stateKeys.sourceDeclarers(sourceKey));
    const records = await Promise.all(keys.map((key) => this.read(sourceDeclarerSchema, key)));
    return records.filter((r): r is SourceDeclarer => r !== undefined);
  }

  /** Writes the declaration; returns the reference a parent keeps to withdraw it later. */
  async putDeclarer(sourceKey: string, declarer: SourceDeclarer): Promise<string> {
    const key = stateKeys.sourceDeclarer(sourceKey, declarer);
    await this.write(key, declarer);
    return key;
  }

  getDeclarerAt = (ref: string) => this.read(sourceDeclarerSchema, ref);

  /** Marks that the target renders from the source (its fetches queue a render of it). */
  subscribe = (sourceKey: string, cluster: string, target: Target) =>
    this.store.put(stateKeys.fetchUser(sourceKey, cluster, target), '');

  /** In either layout: a marker of an earlier version would keep queuing renders. */
  async unsubscribe(sourceKey: string, cluster: string, target: Target): Promise<void> {
    await this.store.delete(stateKeys.fetchUser(sourceKey, cluster, target));
    const legacy = legacyKeys.fetchUser(sourceKey, cluster, target);
    if (legacy) await this.store.delete(legacy);
  }

  /** Who renders from the source, each once (a target of an earlier version may be marked in both layouts). */
  async listSubscribers(sourceKey: string): Promise<{ cluster: string; target: Target }[]> {
    const prefix = stateKeys.fetchUsers(sourceKey);
    const users = new Map<string, { cluster: string; target: Target }>();
    for (const path of await this.store.list(prefix)) {
      const user = fetchUserFromPath(path, prefix);
      if (user) users.set(`${user.cluster}/${targetKey(user.target)}`, user);
    }
    return [...users.values()];
  }

  async hasSubscribers(sourceKey: string): Promise<boolean> {
    return (await this.store.list(stateKeys.fetchUsers(sourceKey))).length > 0;
  }

  /** Where a snapshot lives, for messages that tell an operator what to look at. */
  snapshotLocation = (bundleDigest: string) => stateKeys.snapshot(bundleDigest);
  getSnapshot = (bundleDigest: string) => this.store.get(stateKeys.snapshot(bundleDigest));
  putSnapshot = (bundleDigest: string, bundle: Uint8Array) =>
    this.store.put(stateKeys.snapshot(bundleDigest), bundle, 'application/gzip');

  // ---- a cluster's declared objects ---------------------------------------------------------------

  getTargetRecord = (cluster: string, target: Target): Promise<TargetRecord | undefined> =>
    target.kind === 'HelmRelease'
      ? this.read(helmReleaseRecordSchema, stateKeys.targetRecord(cluster, target))
      : this.read(kustomizationRecordSchema, stateKeys.targetRecord(cluster, target));
  putTargetRecord = (record: TargetRecord) =>
    this.write(stateKeys.targetRecord(record.cluster, targetOfRecord(record)), record);
  deleteTargetRecord = (cluster: string, target: Target) =>
    this.store.delete(stateKeys.targetRecord(cluster, target));

  /** Every declared HelmRelease of the cluster, with its record. */
  async listHelmReleaseRecords(cluster: string): Promise<HelmReleaseRecord[]> {
    const records: HelmReleaseRecord[] = [];
    for (const key of await this.store.list(stateKeys.targetRecords(cluster, 'HelmRelease'))) {
      const record = await this.read(helmReleaseRecordSchema, key);
      if (record) records.push(record);
    }
    return records;
  }

  getCapabilities = (cluster: string) => this.read(capabilitiesSchema, stateKeys.capabilities(cluster));
  putCapabilities = (cluster: string, capabilities: ClusterCapabilities) =>
    this.write(stateKeys.capabilities(cluster), capabilities);

  /** Every declared Kustomization of the cluster, with its record. */
  async listTargetRecords(cluster: string): Promise<KustomizationRecord[]> {
    const records: KustomizationRecord[] = [];
    for (const key of await this.store.list(stateKeys.kustomizations(cluster))) {
      const record = await this.read(kustomizationRecordSchema, key);
      if (record) records.push(record);
    }
    return records;
  }

  /** The targets with a declared record, without reading them. */
  async listDeclaredTargets(cluster: string): Promise<Target[]> {
    const prefix = stateKeys.kustomizations(cluster);
    const releases = stateKeys.targetRecords(cluster, 'HelmRelease');
    return [
      ...(await this.store.list(prefix)).map((key) => kustomizationTarget(keyFromPath(key, prefix))),
      ...(await this.store.list(releases)).map(
        (key): Target => ({ kind: 'HelmRelease', ...keyFromPath(key, releases) }),
      ),
    ];
  }

  getClusterSource = (cluster: string, ref: ObjectKey, kind?: SourceKind) =>
    this.read(clusterSourceSchema, stateKeys.source(cluster, ref, kind));
  putClusterSource = (cluster: string, ref: ObjectKey, record: ClusterSourceRecord, kind?: SourceKind) =>
    this.write(stateKeys.source(cluster, ref, kind), record);
  deleteClusterSource = (cluster: string, ref: ObjectKey, kind?: SourceKind) =>
    this.store.delete(stateKeys.source(cluster, ref, kind));
  /** A cluster's sources of one kind other than GitRepository, by name (HelmRepositories by URL lookups). */
  async listClusterSources(
    cluster: string,
    kind: Exclude<SourceKind, 'GitRepository'>,
  ): Promise<{ ref: ObjectKey; record: ClusterSourceRecord }[]> {
    const prefix = stateKeys.sources(cluster, kind);
    const out: { ref: ObjectKey; record: ClusterSourceRecord }[] = [];
    for (const key of await this.store.list(prefix)) {
      const record = await this.read(clusterSourceSchema, key);
      if (record) out.push({ ref: keyFromPath(key, prefix), record });
    }
    return out;
  }

  /** Marks that `dependent` (a HelmChart) is built from the source: its new revisions fetch the dependent again. */
  addDependent = (sourceKey: string, dependent: string) =>
    this.store.put(stateKeys.fetchDependent(sourceKey, dependent), '');
  removeDependent = (sourceKey: string, dependent: string) =>
    this.store.delete(stateKeys.fetchDependent(sourceKey, dependent));
  async listDependents(sourceKey: string): Promise<string[]> {
    const prefix = stateKeys.fetchDependents(sourceKey);
    return (await this.store.list(prefix)).map((key) => key.slice(prefix.length));
  }

  /** Marks that `waiter` waits for the cluster's source `source` (source-waiters.ts). */
  putSourceWaiter = (cluster: string, source: SourceRef, waiter: SourceWaiter) =>
    this.write(stateKeys.sourceWaiter(cluster, source, waiter), waiter);
  deleteSourceWaiter = (cluster: string, source: SourceRef, waiter: SourceWaiter) =>
    this.store.delete(stateKeys.sourceWaiter(cluster, source, waiter));
  /** Who waits for the cluster's source; a waiter deleted between the list and the read is left out. */
  async listSourceWaiters(cluster: string, source: SourceRef): Promise<SourceWaiter[]> {
    const keys = await this.store.list(stateKeys.sourceWaiters(cluster, source));
    const waiters = await Promise.all(keys.map((key) => this.read(sourceWaiterSchema, key)));
    return waiters.filter((w): w is SourceWaiter => w !== undefined);
  }

  getDeclarations = (cluster: string, parent: ObjectKey) =>
    this.read(declarationsSchema, stateKeys.declared(cluster, parent));
  putDeclarations = (cluster: string, parent: ObjectKey, declarations: Declarations) =>
    this.write(stateKeys.declared(cluster, parent), declarations);

  getConfig = (cluster: string, kind: ConfigRecord['kind'], ref: ObjectKey) =>
    this.getConfigAt(stateKeys.config(cluster, kind, ref));

  /** A Secret's values come back open; one not sealed for its cluster throws DecryptionFailed. */
  async getConfigAt(ref: string): Promise<ConfigRecord | undefined> {
    const record = await this.read(configRecordSchema, ref);
    if (record?.kind !== 'Secret') return record;
    const cluster = stateKeys.clusterOfConfig(ref);
    // Not sealed: written by an earlier version, or by someone who may write the store but not seal.
    if (!record.seal)
      throw new SluiceError(
        'DecryptionFailed',
        `the stored record of Secret ${record.namespace}/${record.name} in cluster ${cluster} is not sealed; it is written again at its Kustomization's next render`,
      );
    return openConfig(cluster, record, await this.secretsFor('read').opener(cluster, record.seal));
  }

  /** Writes the ConfigMap/Secret (a Secret's values sealed); returns the reference its parent keeps. */
  async putConfig(cluster: string, record: ConfigRecord): Promise<string> {
    const ref = this.configRef(cluster, record);
    if (record.kind !== 'Secret') {
      await this.write(ref, record);
      return ref;
    }
    const { cipher, wrapped } = await this.secretsFor('write').sealer(cluster, this);
    await this.write(ref, sealConfig(cluster, record, cipher, wrapped));
    return ref;
  }

  getDataKey = (cluster: string) => this.read(dataKeyRecordSchema, stateKeys.dataKey(cluster));
  putDataKey = (cluster: string, record: DataKeyRecord) => this.write(stateKeys.dataKey(cluster), record);

  private secretsFor(verb: 'read' | 'write'): ClusterSecrets {
    if (!this.secrets)
      throw new SluiceError(
        'ConfigInvalid',
        `cannot ${verb} a Secret record: this process has no data key service (a wiring error in its composition root)`,
      );
    return this.secrets;
  }

  configRef = (cluster: string, record: ConfigRecord) => stateKeys.config(cluster, record.kind, record);

  async listConfigs(cluster: string): Promise<{ ref: string; record: ConfigRecord }[]> {
    const out: { ref: string; record: ConfigRecord }[] = [];
    for (const ref of await this.store.list(stateKeys.configs(cluster))) {
      const record = await this.getConfigAt(ref);
      if (record) out.push({ ref, record });
    }
    return out;
  }

  /** A reference this store handed out (putDeclarer, putConfig), withdrawn. */
  deleteAt = (ref: string) => this.store.delete(ref);

  // ---- per target: index entry, render status, apply status ----------------------------------------

  getIndexEntry = (cluster: string, target: Target) =>
    this.readTarget(
      indexEntrySchema,
      target,
      stateKeys.index(cluster, target),
      legacyKeys.index(cluster, target),
    );
  putIndexEntry = (cluster: string, entry: IndexEntry) =>
    this.write(stateKeys.index(cluster, entry.target), entry);

  /** Every target with an index entry in this cluster (in either layout), each once, in listing order. */
  async listIndexedTargets(cluster: string): Promise<Target[]> {
    const prefix = stateKeys.indexes(cluster);
    const targets = new Map<string, Target>();
    for (const path of await this.store.list(prefix)) {
      const target = targetFromPath(path, prefix);
      if (target) targets.set(targetKey(target), target);
    }
    return [...targets.values()];
  }

  getRenderStatus = (cluster: string, target: Target) =>
    this.readTarget(
      renderStatusSchema,
      target,
      stateKeys.renderStatus(cluster, target),
      legacyKeys.renderStatus(cluster, target),
    );
  /** The status, and its failure marker kept in step with it (listFailedTargets). */
  async putRenderStatus(cluster: string, status: RenderStatus): Promise<void> {
    await this.write(stateKeys.renderStatus(cluster, status.target), status);
    const marker = stateKeys.renderFailure(cluster, status.target);
    if (status.ready) await this.store.delete(marker);
    else await this.write(marker, { target: status.target });
  }

  /** The targets of this cluster whose last render failed, by their markers (no status is read). */
  async listFailedTargets(cluster: string): Promise<Target[]> {
    const prefix = stateKeys.renderFailures(cluster);
    const targets: Target[] = [];
    for (const path of await this.store.list(prefix)) {
      const target = targetFromPath(path, prefix);
      if (target) targets.push(target);
    }
    return targets;
  }

  /** Both keys: a render status left at the earlier key would show again once the new one is gone. */
  async deleteRenderStatus(cluster: string, target: Target): Promise<void> {
    await this.store.delete(stateKeys.renderFailure(cluster, target));
    await this.store.delete(stateKeys.renderStatus(cluster, target));
    const legacy = legacyKeys.renderStatus(cluster, target);
    if (legacy) await this.store.delete(legacy);
  }

  getApplyStatus = (cluster: string, target: Target) =>
    this.readTarget(
      applyStatusSchema,
      target,
      stateKeys.applyStatus(cluster, target),
      legacyKeys.applyStatus(cluster, target),
    );
  putApplyStatus = (cluster: string, report: ApplyReport) =>
    this.write(stateKeys.applyStatus(cluster, report.target), report);

  // ---- signed records: content-addressed, checked by digest and signature, not by schema ------------

  artifactLocation = (cluster: string, digest: string) => artifactKey(cluster, digest);

  async hasArtifact(cluster: string, digest: string): Promise<boolean> {
    const key = artifactKey(cluster, digest);
    return (await this.store.list(key)).length > 0;
  }

  /** Stores the signed record under its digest; returns where it lives (what an index entry points at). */
  async putArtifact(cluster: string, signed: Signed): Promise<string> {
    const key = artifactKey(cluster, signed.digest);
    await this.store.put(key, `${JSON.stringify(signed, null, 2)}\n`, 'application/json');
    return key;
  }

  /** The signed record an index entry points at; its digest and signature are the reader's to check. */
  async getArtifactAt(location: string): Promise<Signed | undefined> {
    const body = await this.store.get(location);
    return body === undefined ? undefined : (JSON.parse(body.toString('utf8')) as Signed);
  }

  // ---- reading and writing ---------------------------------------------------------------------------

  private async read<T>(schema: RecordSchema<T>, key: string): Promise<T | undefined> {
    const body = await this.store.get(key);
    return body === undefined ? undefined : decodeRecord(schema, key, body.toString('utf8'));
  }

  /** At `key`, else at `legacyKey`; its target is the one its key names, never what it claims. */
  private async readTarget<T>(
    schema: RecordSchema<T>,
    target: Target,
    key: string,
    legacyKey: string | undefined,
  ): Promise<T | undefined> {
    let found = key;
    let body = await this.store.get(key);
    if (body === undefined && legacyKey !== undefined) {
      found = legacyKey;
      body = await this.store.get(legacyKey);
    }
    if (body === undefined) return undefined;
    const { kind, namespace, name } = target;
    return decodeRecord(schema, found, body.toString('utf8'), { target: { kind, namespace, name } });
  }

  private write(key: string, value: object): Promise<void> {
    return this.store.put(key, encodeRecord(value), 'application/json');
  }
}

/** The state of a pipeline or puller: a view over its object store, cheap to make per call. */
export function stateOf(deps: { store: ObjectStore; dataKeys?: DataKeyService; clock?: Clock }): StateStore {
  return new StateStore(
    deps.store,
    deps.dataKeys && clusterSecretsOf(deps.dataKeys, deps.clock ?? systemClock),
  );
}
