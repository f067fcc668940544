{{/* The name of every object of the release. */}}
{{- define "sluice-puller.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sluice-puller.selectorLabels" -}}
app.kubernetes.io/name: sluice-puller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sluice-puller.labels" -}}
{{ include "sluice-puller.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "sluice-puller.inventoryNamespace" -}}
{{- .Values.inventoryNamespace | default .Release.Namespace -}}
{{- end -}}

{{- define "sluice-puller.image" -}}
{{- $repo := required "image.repository is required (<registry>/sluice-puller)" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}
