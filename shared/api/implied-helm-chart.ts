// The HelmChart Flux's helm-controller creates from a HelmRelease's `spec.chart` template
// (internal/reconcile/helmchart_template.go), and the chart a release names directly with `spec.chartRef`.
import { SluiceError } from '../core/errors.ts';
import { readHelmChartSpec } from './decode-helm-chart.ts';
import { FieldReader, isRecord } from './field-reader.ts';
import {
  CHART_REF_FIELDS,
  HELM_CHART_TEMPLATE_FIELDS,
  HELM_CHART_TEMPLATE_METADATA_FIELDS,
  HELM_CHART_TEMPLATE_SPEC_FIELDS,
} from './flux-fields.ts';
import { HELM_CHART_API, type HelmChart } from './helm-chart.ts';
import { HELM_RELEASE_API } from './helm-release.ts';
import { DEFAULT_NAMESPACE, type ObjectMeta, objectRef, type SourceLocation } from './object-meta.ts';

type Raw = Record<string, unknown>;

export interface ChartRef {
  /** ExternalArtifact: an ArtifactGenerator's artifact holding the chart (core/generator). */
  kind: 'OCIRepository' | 'HelmChart' | 'ExternalArtifact';
  name: string;
  /** The reference's namespace, defaulting to the HelmRelease's. */
  namespace: string;
}

/**
 * The HelmChart a HelmRelease's `spec.chart` implies, named `<release namespace>-<release name>` in the
 * sourceRef's namespace (the release's by default), its interval the template's or else the release's
 * `spec.interval`. undefined when the release names its chart with `spec.chartRef` (or is invalid: the
 * problems are in `r`).
 */
export function impliedHelmChart(
  raw: Raw,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): { chart: HelmChart; sourceNamespace: string } | undefined {
  if (raw.apiVersion !== HELM_RELEASE_API) {
    r.fail(
      'apiVersion',
      `expected ${JSON.stringify(HELM_RELEASE_API)} for a HelmRelease, got ${JSON.stringify(raw.apiVersion)}; Flux 2.3 and later serve v2, whose chart template is the same: change the apiVersion`,
    );
    return undefined;
  }
  const spec = r.object(raw, 'spec', 'spec', true);
  if (!spec) return undefined;
  const hasChart = spec.chart !== undefined && spec.chart !== null;
  const hasChartRef = spec.chartRef !== undefined && spec.chartRef !== null;
  if (hasChart === hasChartRef) {
    r.fail(
      hasChart ? 'spec.chartRef' : 'spec.chart',
      hasChart
        ? 'either spec.chart or spec.chartRef must be set, not both; keep spec.chartRef for a chart from an OCIRepository or HelmChart, or spec.chart for a chart template'
        : 'is required: set spec.chart (a chart template with a sourceRef) or spec.chartRef (an OCIRepository or HelmChart)',
    );
    return undefined;
  }
  if (!hasChart) return undefined;
  const template = r.object(spec, 'chart', 'spec.chart');
  r.knownFields(template, 'spec.chart', HELM_CHART_TEMPLATE_FIELDS);
  const metaRaw = r.object(template, 'metadata', 'spec.chart.metadata');
  r.knownFields(metaRaw, 'spec.chart.metadata', HELM_CHART_TEMPLATE_METADATA_FIELDS);
  const tplSpec = r.object(template, 'spec', 'spec.chart.spec', true);
  r.knownFields(tplSpec, 'spec.chart.spec', HELM_CHART_TEMPLATE_SPEC_FIELDS);
  const decoded = readHelmChartSpec(tplSpec, 'spec.chart.spec', r, {
    sourceRefFields: CHART_REF_FIELDS,
    maxChartLength: 2048,
  });
  const intervalMs =
    tplSpec?.interval !== undefined
      ? r.duration(tplSpec, 'interval', 'spec.chart.spec.interval')
      : r.duration(spec, 'interval', 'spec.interval', true);
  const sourceNamespace = decoded.sourceNamespace || metadata.namespace;
  return {
    chart: {
      kind: 'HelmChart',
      apiVersion: HELM_CHART_API,
      metadata: {
        name: `${metadata.namespace}-${metadata.name}`,
        namespace: sourceNamespace,
        labels: r.stringMap(metaRaw, 'labels', 'spec.chart.metadata.labels') ?? {},
        annotations: r.stringMap(metaRaw, 'annotations', 'spec.chart.metadata.annotations') ?? {},
      },
      spec: { ...decoded.spec, intervalMs: intervalMs ?? 0, suspend: false },
      source,
    },
    sourceNamespace,
  };
}

const CHART_REF_KINDS = ['OCIRepository', 'HelmChart', 'ExternalArtifact'] as const;

/**
 * A HelmRelease's `spec.chartRef`, validated, or undefined when it has none. Problems go to `r` when given;
 * without one they are thrown as a ValidationFailed naming the release and the field.
 */
export function chartRefOf(raw: Raw, r?: FieldReader): ChartRef | undefined {
  const reader = r ?? new FieldReader();
  const ref = readChartRef(raw, reader);
  if (!r && reader.issues.length > 0) {
    const meta = isRecord(raw.metadata) ? raw.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace =
      typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : DEFAULT_NAMESPACE;
    const object = objectRef('HelmRelease', { name, namespace });
    const list = reader.issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
    throw new SluiceError('ValidationFailed', `${object}: ${list}`, {
      object,
      field: reader.issues[0]?.field,
    });
  }
  return ref;
}

function readChartRef(raw: Raw, r: FieldReader): ChartRef | undefined {
  const spec = isRecord(raw.spec) ? raw.spec : undefined;
  const refRaw = r.object(spec, 'chartRef', 'spec.chartRef');
  if (!refRaw) return undefined;
  r.knownFields(refRaw, 'spec.chartRef', CHART_REF_FIELDS);
  const kind = r.string(refRaw, 'kind', 'spec.chartRef.kind', { required: true, oneOf: CHART_REF_KINDS });
  const name = r.string(refRaw, 'name', 'spec.chartRef.name', { required: true, maxLength: 253 });
  const namespace = r.string(refRaw, 'namespace', 'spec.chartRef.namespace', { minLength: 1, maxLength: 63 });
  r.string(refRaw, 'apiVersion', 'spec.chartRef.apiVersion');
  if (!kind || !name || !isChartRefKind(kind)) return undefined;
  const meta = isRecord(raw.metadata) ? raw.metadata : {};
  const own = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : DEFAULT_NAMESPACE;
  return { kind, name, namespace: namespace || own };
}

function isChartRefKind(kind: string): kind is ChartRef['kind'] {
  return (CHART_REF_KINDS as readonly string[]).includes(kind);
}
