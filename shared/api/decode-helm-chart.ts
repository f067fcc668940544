// Validates a raw HelmChart object into the typed API with Flux's CRD rules (source-controller api/v1
// helmchart_types.go); its spec reader also reads a HelmRelease's chart template (see implied-helm-chart.ts).
import { parseRange } from '../core/git/semver-range.ts';
import { refuseVerify } from './decode-source-fields.ts';
import type { FieldReader } from './field-reader.ts';
import { HELM_CHART_SOURCE_REF_FIELDS, HELM_CHART_SPEC_FIELDS, OBJECT_FIELDS } from './flux-fields.ts';
import { HELM_CHART_API, type HelmChart, type HelmChartSpec } from './helm-chart.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

type Raw = Record<string, unknown>;

/** Flux's kinds, plus OCIRepository: a chart directory inside an OCI artifact (a Sluice extension). */
export const HELM_CHART_SOURCE_KINDS = [
  'HelmRepository',
  'GitRepository',
  'Bucket',
  'OCIRepository',
] as const;
const STRATEGIES = ['ChartVersion', 'Revision'] as const;
/** Flux's default version: the latest stable chart. */
export const DEFAULT_CHART_VERSION = '*';

export function decodeHelmChart(
  raw: Raw,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): HelmChart {
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', HELM_CHART_SPEC_FIELDS);
  const decoded = readHelmChartSpec(spec, 'spec', r, { sourceRefFields: HELM_CHART_SOURCE_REF_FIELDS });
  return {
    kind: 'HelmChart',
    apiVersion: HELM_CHART_API,
    metadata,
    spec: {
      ...decoded.spec,
      intervalMs: r.duration(spec, 'interval', 'spec.interval', true) ?? 0,
      suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    },
    source,
  };
}

export interface ChartSpecOptions {
  /** The sourceRef's known fields: HelmChart's local reference, or the template's with a namespace. */
  sourceRefFields: readonly string[];
  /** HelmRelease templates bound chart to 1..2048 characters; HelmChart only requires it. */
  maxChartLength?: number;
}

/**
 * The fields a HelmChart spec and a HelmRelease chart template share (all but interval and suspend), at
 * `path`; the sourceRef's namespace is returned apart, as a HelmChart has none.
 */
export function readHelmChartSpec(
  spec: Raw | undefined,
  path: string,
  r: FieldReader,
  options: ChartSpecOptions,
): { spec: Omit<HelmChartSpec, 'intervalMs' | 'suspend'>; sourceNamespace?: string } {
  const chart =
    r.string(spec, 'chart', `${path}.chart`, {
      required: true,
      ...(options.maxChartLength !== undefined && { maxLength: options.maxChartLength }),
    }) ?? '';
  const refPath = `${path}.sourceRef`;
  const refRaw = r.object(spec, 'sourceRef', refPath, true);
  r.knownFields(refRaw, refPath, options.sourceRefFields);
  // A missing sourceRef is one problem, not three.
  const kind =
    refRaw && r.string(refRaw, 'kind', `${refPath}.kind`, { required: true, oneOf: HELM_CHART_SOURCE_KINDS });
  const name =
    (refRaw && r.string(refRaw, 'name', `${refPath}.name`, { required: true, maxLength: 253 })) ?? '';
  const sourceNamespace = options.sourceRefFields.includes('namespace')
    ? r.string(refRaw, 'namespace', `${refPath}.namespace`, { minLength: 1, maxLength: 63 })
    : undefined;
  r.string(refRaw, 'apiVersion', `${refPath}.apiVersion`);
  const version = r.string(spec, 'version', `${path}.version`) || DEFAULT_CHART_VERSION;
  // Flux reads the version as a range only for HelmRepository charts (it is ignored for the others).
  if (kind === 'HelmRepository' && parseRange(version) === undefined) {
    r.fail(
      `${path}.version`,
      `expected a semver range such as "6.x", ">=1.2.0 <2.0.0" or "*" (the latest stable), got ${JSON.stringify(version)}`,
    );
  }
  const strategy = r.string(spec, 'reconcileStrategy', `${path}.reconcileStrategy`, { oneOf: STRATEGIES });
  refuseVerify(spec, `${path}.verify`, 'chart', r);
  return {
    spec: {
      chart,
      version,
      sourceRef: {
        kind: (HELM_CHART_SOURCE_KINDS as readonly string[]).includes(kind ?? '')
          ? (kind as HelmChartSpec['sourceRef']['kind'])
          : 'HelmRepository',
        name,
      },
      reconcileStrategy: strategy === 'Revision' ? 'Revision' : 'ChartVersion',
      valuesFiles: r.strings(spec, 'valuesFiles', `${path}.valuesFiles`) ?? [],
      ignoreMissingValuesFiles:
        r.boolean(spec, 'ignoreMissingValuesFiles', `${path}.ignoreMissingValuesFiles`) ?? false,
    },
    ...(sourceNamespace !== undefined && { sourceNamespace }),
  };
}
