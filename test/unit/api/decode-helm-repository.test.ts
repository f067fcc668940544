// HelmRepository objects as public fleets write them decode with Flux's defaults; every CRD rule
// (url pattern, type and provider enums, durations) and Sluice's own refusals name the field and the fix.
import { describe, expect, it } from 'vitest';
import { decodeHelmRepository } from '../../../shared/api/decode-helm-repository.ts';
import { decodeYaml, FILE, issuesOf, refusalOf } from './decode-helpers.ts';

const podinfo = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 5m
  url: https://stefanprodan.github.io/podinfo
`;

const bitnami = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: bitnami
  namespace: flux-system
spec:
  type: oci
  interval: 24h
  url: oci://registry-1.docker.io/bitnamicharts
  secretRef:
    name: dockerhub-auth
`;

/** A HelmRepository with `spec` replaced by the given YAML lines (indented by two spaces). */
const withSpec = (...lines: string[]) =>
  `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: apps
spec:
${lines.map((l) => `  ${l}`).join('\n')}
`;

const issues = (...lines: string[]) => issuesOf(withSpec(...lines), decodeHelmRepository);

describe('HelmRepository', () => {
  it('an HTTPS chart repository (podinfo) with Flux defaults', () => {
    expect(decodeYaml(podinfo)).toEqual({
      kind: 'HelmRepository',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      metadata: { name: 'podinfo', namespace: 'flux-system', labels: {}, annotations: {} },
      spec: {
        url: 'https://stefanprodan.github.io/podinfo',
        type: 'default',
        passCredentials: false,
        insecure: false,
        intervalMs: 300_000,
        timeoutMs: 60_000,
        provider: 'generic',
        suspend: false,
      },
      source: { file: FILE, document: 0 },
    });
  });

  it('an OCI chart registry (bitnami) with its secretRef', () => {
    const repo = decodeYaml(bitnami);
    expect(repo).toMatchObject({
      kind: 'HelmRepository',
      spec: {
        url: 'oci://registry-1.docker.io/bitnamicharts',
        type: 'oci',
        secretRef: { name: 'dockerhub-auth' },
        intervalMs: 86_400_000,
        provider: 'generic',
      },
    });
  });

  it('every honoured field', () => {
    const repo = decodeYaml(
      withSpec(
        'url: oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts',
        'type: oci',
        'provider: aws',
        'insecure: true',
        'passCredentials: true',
        'timeout: 1m30s',
        'interval: 10m',
        'suspend: true',
        'certSecretRef: {name: registry-ca}',
      ),
    );
    expect(repo).toMatchObject({
      spec: {
        type: 'oci',
        provider: 'aws',
        insecure: true,
        passCredentials: true,
        timeoutMs: 90_000,
        intervalMs: 600_000,
        suspend: true,
        certSecretRef: { name: 'registry-ca' },
      },
    });
  });

  it('without spec.interval (optional in v1) is checked every minute, as Flux requeues it', () => {
    expect(decodeYaml(withSpec('url: https://charts.example.com'))).toMatchObject({
      spec: { intervalMs: 60_000, timeoutMs: 60_000 },
    });
  });

  it('accepts spec.accessFrom, which Flux validates and does not implement either', () => {
    const repo = decodeYaml(
      withSpec(
        'url: https://charts.example.com',
        'accessFrom:',
        '  namespaceSelectors:',
        '    - matchLabels: {tenant: a}',
      ),
    );
    expect(repo.kind).toBe('HelmRepository');
    expect(issues('url: https://charts.example.com', 'accessFrom: {namespaceSelector: []}')).toEqual([
      {
        field: 'spec.accessFrom.namespaceSelector',
        problem: 'unknown field; did you mean spec.accessFrom.namespaceSelectors?',
      },
      { field: 'spec.accessFrom.namespaceSelectors', problem: 'is required' },
    ]);
  });

  describe('refuses, naming the field and the fix', () => {
    it('a missing URL', () => {
      expect(issues('interval: 1m')).toEqual([{ field: 'spec.url', problem: 'is required' }]);
    });

    it.each([
      ['ftp://charts.example.com', 'ftp:// URLs are not chart repositories'],
      ['charts.example.com', 'expected an http://, https:// or oci:// URL'],
      ['HTTPS://charts.example.com', 'lowercase scheme'],
    ])('a URL outside Flux pattern (%s)', (url, problem) => {
      const [issue, ...rest] = issues(`url: ${url}`);
      expect(rest).toEqual([]);
      expect(issue?.field).toBe('spec.url');
      expect(issue?.problem).toContain(problem);
    });

    it('credentials in the URL, without echoing them', () => {
      const [issue] = issues('url: https://bot:hunter2@charts.example.com');
      expect(issue).toEqual({
        field: 'spec.url',
        problem:
          'must not contain credentials (user:password@); remove them from the URL and put them in a Secret named in spec.secretRef',
      });
      const refusal = refusalOf(() =>
        decodeYaml(withSpec('url: oci://bot:hunter2@ghcr.io/org', 'type: oci')),
      );
      expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.url' });
      expect(refusal.message).not.toContain('hunter2');
    });

    it('an oci:// URL without type: oci, saying to add it', () => {
      expect(issues('url: oci://ghcr.io/stefanprodan/charts')).toEqual([
        {
          field: 'spec.type',
          problem:
            'an oci:// URL is an OCI registry, which Flux reads only with spec.type "oci"; add "type: oci" to the spec (it defaults to "default", an HTTP(S) repository with an index.yaml)',
        },
      ]);
      expect(issues('url: oci://ghcr.io/stefanprodan/charts', 'type: default')[0]?.field).toBe('spec.type');
    });

    it('type: oci with an https:// URL', () => {
      const [issue] = issues('url: https://ghcr.io/stefanprodan/charts', 'type: oci');
      expect(issue?.field).toBe('spec.url');
      expect(issue?.problem).toContain('with spec.type "oci" the URL must start with oci://');
    });

    it('values outside the type and provider enums', () => {
      expect(issues('url: https://charts.example.com', 'type: helm', 'provider: ecr')).toEqual([
        { field: 'spec.type', problem: 'expected one of "default", "oci", got "helm"' },
        {
          field: 'spec.provider',
          problem: 'expected one of "generic", "aws", "azure", "gcp", got "ecr"',
        },
      ]);
    });

    it('an interval or timeout outside Flux patterns (a timeout has no hours)', () => {
      expect(issues('url: https://charts.example.com', 'interval: 5 minutes', 'timeout: 1h')).toEqual([
        {
          field: 'spec.interval',
          problem: 'expected a duration like "10m", "1h30m" or "45s", got "5 minutes"',
        },
        { field: 'spec.timeout', problem: 'expected a duration in ms, s or m such as "60s", got "1h"' },
      ]);
    });

    it('booleans written as strings', () => {
      expect(issues('url: https://charts.example.com', 'passCredentials: "yes"')).toEqual([
        { field: 'spec.passCredentials', problem: 'expected true or false, got "yes"' },
      ]);
    });

    it('unknown fields, with the closest known one', () => {
      expect(
        issues(
          'url: https://charts.example.com',
          'secretRef: {nmae: auth}',
          'passCredential: true',
          'ref: {}',
        ),
      ).toEqual([
        { field: 'spec.passCredential', problem: 'unknown field; did you mean spec.passCredentials?' },
        { field: 'spec.ref', problem: 'unknown field' },
        { field: 'spec.secretRef.nmae', problem: expect.stringMatching(/^unknown field/) },
        { field: 'spec.secretRef.name', problem: 'is required' },
      ]);
    });

    it('through decodeResource, as one ValidationFailed naming the file and the object', () => {
      expect(refusalOf(() => decodeYaml(withSpec('url: https://charts.example.com', 'type: helm')))).toEqual({
        code: 'ValidationFailed',
        field: 'spec.type',
        message: `${FILE}: HelmRepository/apps/charts: spec.type: expected one of "default", "oci", got "helm"`,
      });
    });
  });
});
