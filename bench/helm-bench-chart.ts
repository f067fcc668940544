// A realistic 20-template chart for the Helm benchmarks (Deployment, Service, ConfigMap, HPA, Ingress and
// ServiceAccount per component, over _helpers.tpl), and HelmRelease records of it as the fleet reader decodes them.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeResource } from '../shared/api/decode-resource.ts';
import type { HelmRelease } from '../shared/api/helm-release.ts';
import type { HelmReleaseRecord } from '../shared/core/pipeline/records.ts';

const COMPONENTS = ['api', 'worker', 'web'] as const;

const HELPERS = `{{- define "bench.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "bench.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "bench.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "bench.labels" -}}
helm.sh/chart: {{ include "bench.chart" . }}
{{ include "bench.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "bench.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bench.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "bench.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "bench.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
`;

function templatesOf(c: string): Record<string, string> {
  const v = `.Values.components.${c}`;
  const name = `{{ include "bench.fullname" $ }}-${c}`;
  const labels = (indent: number) =>
    `{{- include "bench.labels" $ | nindent ${indent} }}\n${' '.repeat(indent)}app.kubernetes.io/component: ${c}`;
  return {
    [`${c}-deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    ${labels(4)}
spec:
  {{- if not ${v}.autoscaling.enabled }}
  replicas: {{ ${v}.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "bench.selectorLabels" $ | nindent 6 }}
      app.kubernetes.io/component: ${c}
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/${c}-configmap.yaml") $ | sha256sum }}
        {{- with $.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- include "bench.selectorLabels" $ | nindent 8 }}
        app.kubernetes.io/component: ${c}
    spec:
      serviceAccountName: {{ include "bench.serviceAccountName" $ }}-${c}
      securityContext:
        {{- toYaml $.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: ${c}
          image: "{{ $.Values.image.repository }}:{{ $.Values.image.tag | default $.Chart.AppVersion }}"
          imagePullPolicy: {{ $.Values.image.pullPolicy }}
          args: ["--component=${c}", "--port={{ ${v}.port }}"]
          ports:
            - name: http
              containerPort: {{ ${v}.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: ${name}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
          resources:
            {{- toYaml ${v}.resources | nindent 12 }}
          securityContext:
            {{- toYaml $.Values.securityContext | nindent 12 }}
      {{- with $.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
`,
    [`${c}-service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    ${labels(4)}
spec:
  type: {{ ${v}.service.type }}
  ports:
    - port: {{ ${v}.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "bench.selectorLabels" $ | nindent 4 }}
    app.kubernetes.io/component: ${c}
`,
    [`${c}-configmap.yaml`]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  labels:
    ${labels(4)}
data:
  COMPONENT: ${c}
  LOG_LEVEL: {{ $.Values.logLevel | quote }}
  {{- range $k, $val := ${v}.env }}
  {{ $k }}: {{ $val | quote }}
  {{- end }}
`,
    [`${c}-hpa.yaml`]: `{{- if ${v}.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
  labels:
    ${labels(4)}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: {{ ${v}.autoscaling.minReplicas }}
  maxReplicas: {{ ${v}.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ ${v}.autoscaling.targetCPU }}
{{- end }}
`,
    [`${c}-ingress.yaml`]: `{{- if ${v}.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  labels:
    ${labels(4)}
  {{- with $.Values.ingressAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  ingressClassName: {{ $.Values.ingressClassName }}
  tls:
    - hosts:
        - {{ ${v}.ingress.host | quote }}
      secretName: ${name}-tls
  rules:
    - host: {{ ${v}.ingress.host | quote }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${name}
                port:
                  number: {{ ${v}.service.port }}
{{- end }}
`,
    [`${c}-serviceaccount.yaml`]: `{{- if $.Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "bench.serviceAccountName" $ }}-${c}
  labels:
    ${labels(4)}
automountServiceAccountToken: false
{{- end }}
`,
  };
}

const SHARED_TEMPLATES = {
  'pdb.yaml': `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "bench.fullname" . }}
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      {{- include "bench.selectorLabels" . | nindent 6 }}
`,
  'networkpolicy.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "bench.fullname" . }}
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "bench.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              {{- include "bench.selectorLabels" . | nindent 14 }}
`,
};

function valuesYaml(): string {
  const component = (port: number, autoscaling: boolean) => `    replicaCount: 2
    port: ${port}
    service: {type: ClusterIP, port: 80}
    ingress: {enabled: true, host: "${port}.example.com"}
    autoscaling: {enabled: ${autoscaling}, minReplicas: 2, maxReplicas: 10, targetCPU: 75}
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {memory: 256Mi}
    env:
      FEATURE_A: "on"
      FEATURE_B: "off"
      CACHE_TTL: "300"
`;
  return `image:
  repository: ghcr.io/example/bench
  tag: ""
  pullPolicy: IfNotPresent
nameOverride: ""
fullnameOverride: ""
logLevel: info
serviceAccount: {create: true, name: ""}
podAnnotations: {prometheus.io/scrape: "true"}
podSecurityContext: {runAsNonRoot: true, fsGroup: 2000}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
ingressClassName: nginx
ingressAnnotations: {cert-manager.io/cluster-issuer: letsencrypt}
nodeSelector: {kubernetes.io/os: linux}
tolerations: []
components:
  api:
${component(8080, true)}  worker:
${component(8081, true)}  web:
${component(8082, true)}`;
}

/** Writes the chart as `<parent>/<name>/` (a chart snapshot's layout) and returns the chart directory. */
export async function writeBenchChart(parent: string, name = 'bench'): Promise<string> {
  const dir = join(parent, name);
  const templates: Record<string, string> = {
    '_helpers.tpl': HELPERS,
    ...Object.assign({}, ...COMPONENTS.map(templatesOf)),
    ...SHARED_TEMPLATES,
    'NOTES.txt': 'Installed {{ include "bench.fullname" . }}.\n',
  };
  const files: Record<string, string> = {
    'Chart.yaml': `apiVersion: v2\nname: ${name}\nversion: 1.2.3\nappVersion: "4.5.6"\ntype: application\n`,
    'values.yaml': valuesYaml(),
    ...Object.fromEntries(Object.entries(templates).map(([k, v]) => [`templates/${k}`, v])),
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

/** A HelmRelease of `chart` (a HelmRepository chart) as the fleet reader decodes it, in its record. */
export function benchRelease(opts: {
  cluster: string;
  name: string;
  chart: string;
  values: Record<string, unknown>;
}): HelmReleaseRecord {
  const raw = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: opts.name, namespace: 'apps' },
    spec: {
      interval: '10m',
      releaseName: opts.name,
      chart: { spec: { chart: opts.chart, sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
      values: opts.values,
    },
  };
  const decoded = decodeResource(raw, { file: 'bench/releases.yaml', document: 0 });
  if (decoded.kind !== 'HelmRelease') throw new Error('the bench HelmRelease did not decode as one');
  const helmRelease: HelmRelease = decoded;
  return {
    cluster: opts.cluster,
    helmRelease,
    sourceKey: `HelmChart/apps/apps-${opts.name}`,
    parent: null,
  };
}
