// OCIRepository objects as public fleets write them decode with Flux's defaults (the `latest` tag, 60s
// timeout, generic provider); CRD rules and what Sluice cannot honour yet (verify, service account pull
// secrets, proxies) are refused by field with the fix.
import { describe, expect, it } from 'vitest';
import { decodeOciRepository } from '../../../shared/api/decode-oci-repository.ts';
import { decodeYaml, FILE, issuesOf, refusalOf } from './decode-helpers.ts';

const podinfoManifests = `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 10m
  url: oci://ghcr.io/stefanprodan/manifests/podinfo
  ref:
    semver: ">=6.0.0 <7.0.0"
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
`;

const withSpec = (...lines: string[]) =>
  `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: manifests
  namespace: apps
spec:
${lines.map((l) => `  ${l}`).join('\n')}
`;
const base = ['interval: 5m', 'url: oci://ghcr.io/org/manifests'];
const issues = (...lines: string[]) => issuesOf(withSpec(...lines), decodeOciRepository);

describe('OCIRepository', () => {
  it('a semver range and a layer selector (podinfo), with Flux defaults', () => {
    expect(decodeYaml(podinfoManifests)).toEqual({
      kind: 'OCIRepository',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      metadata: { name: 'podinfo', namespace: 'apps', labels: {}, annotations: {} },
      spec: {
        url: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
        ref: { semver: '>=6.0.0 <7.0.0' },
        layerSelector: {
          mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
          operation: 'copy',
        },
        provider: 'generic',
        insecure: false,
        intervalMs: 600_000,
        timeoutMs: 60_000,
        suspend: false,
      },
      source: { file: FILE, document: 0 },
    });
  });

  it('without spec.ref pulls the latest tag, as Flux', () => {
    expect(decodeYaml(withSpec(...base))).toMatchObject({ spec: { ref: { tag: 'latest' } } });
    expect(decodeYaml(withSpec(...base, 'ref: {semverFilter: ".*-rc.*"}'))).toMatchObject({
      spec: { ref: { semverFilter: '.*-rc.*', tag: 'latest' } },
    });
  });

  it('keeps every ref field as written (Flux applies digest > semver > tag when pulling)', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(
      decodeYaml(
        withSpec(...base, `ref: {digest: "${digest}", semver: "6.x", semverFilter: "^6", tag: "6.5.0"}`),
      ),
    ).toMatchObject({ spec: { ref: { digest, semver: '6.x', semverFilter: '^6', tag: '6.5.0' } } });
  });

  it('every other honoured field', () => {
    expect(
      decodeYaml(
        withSpec(
          ...base,
          'provider: aws',
          'secretRef: {name: ghcr-auth}',
          'certSecretRef: {name: registry-ca}',
          'ignore: "*.md"',
          'insecure: true',
          'timeout: 2m',
          'suspend: true',
        ),
      ),
    ).toMatchObject({
      spec: {
        provider: 'aws',
        secretRef: { name: 'ghcr-auth' },
        certSecretRef: { name: 'registry-ca' },
        ignore: '*.md',
        insecure: true,
        timeoutMs: 120_000,
        suspend: true,
      },
    });
  });

  it('a registry with a port', () => {
    expect(decodeYaml(withSpec('interval: 1m', 'url: oci://localhost:5000/fleet/apps'))).toMatchObject({
      spec: { url: 'oci://localhost:5000/fleet/apps' },
    });
  });

  describe('refuses, naming the field and the fix', () => {
    it('signature verification, rather than pulling unverified', () => {
      const refusal = refusalOf(() =>
        decodeYaml(withSpec(...base, 'verify:', '  provider: cosign', '  secretRef: {name: cosign-pub}')),
      );
      expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.verify' });
      expect(refusal.message).toContain(
        'spec.verify: signature verification (cosign, notation) is not supported by this Sluice version yet, and Sluice will not use the artifact unverified, so this object is refused',
      );
    });

    it('serviceAccountName and proxySecretRef, which Sluice cannot honour yet', () => {
      const found = issues(...base, 'serviceAccountName: puller', 'proxySecretRef: {name: proxy}');
      expect(found.map((i) => i.field)).toEqual(['spec.serviceAccountName', 'spec.proxySecretRef']);
      expect(found[0]?.problem).toContain('name it in spec.secretRef instead');
      expect(found[1]?.problem).toContain('proxies are not supported');
    });

    it('a missing interval or URL', () => {
      expect(issues('suspend: false')).toEqual([
        { field: 'spec.url', problem: 'is required' },
        { field: 'spec.interval', problem: 'is required' },
      ]);
    });

    it('a URL that is not oci://, suggesting the oci:// form', () => {
      expect(issues('interval: 1m', 'url: https://ghcr.io/org/manifests')).toEqual([
        {
          field: 'spec.url',
          problem:
            'expected an oci:// URL such as "oci://ghcr.io/org/manifests", got "https://ghcr.io/org/manifests"; for a registry write oci://ghcr.io/org/manifests',
        },
      ]);
    });

    it('a URL without a repository', () => {
      expect(issues('interval: 1m', 'url: oci://ghcr.io')[0]?.problem).toContain(
        'expected oci://<registry host>/<repository>',
      );
    });

    it.each([
      ['oci://ghcr.io/org/manifests:6.5.0', '"oci://ghcr.io/org/manifests" and put "6.5.0" in spec.ref.tag'],
      [
        `oci://ghcr.io/org/manifests@sha256:${'b'.repeat(64)}`,
        `"oci://ghcr.io/org/manifests" and put "sha256:${'b'.repeat(64)}" in spec.ref.digest`,
      ],
    ])('a tag or digest in the URL (%s)', (url, fix) => {
      const [issue] = issues('interval: 1m', `url: ${url}`);
      expect(issue?.field).toBe('spec.url');
      expect(issue?.problem).toBe(`must name the repository only, without a tag or digest; write ${fix}`);
    });

    it('a repository name the registry cannot have (uppercase)', () => {
      expect(issues('interval: 1m', 'url: oci://ghcr.io/MyOrg/manifests')).toEqual([
        { field: 'spec.url', problem: 'registry repository names are lowercase: write "myorg/manifests"' },
      ]);
    });

    it('credentials in the URL, without echoing them', () => {
      const refusal = refusalOf(() =>
        decodeYaml(withSpec('interval: 1m', 'url: oci://bot:s3cret@ghcr.io/org/x')),
      );
      expect(refusal.field).toBe('spec.url');
      expect(refusal.message).not.toContain('s3cret');
    });

    it('a bad digest, semver range or semverFilter', () => {
      expect(issues(...base, 'ref: {digest: "sha256:abc", semver: ">= one", semverFilter: "(rc"}')).toEqual([
        {
          field: 'spec.ref.digest',
          problem: 'expected a manifest digest "sha256:<64 lowercase hex digits>", got "sha256:abc"',
        },
        {
          field: 'spec.ref.semver',
          problem: 'expected a semver range such as ">=6.0.0 <7.0.0", "6.x" or "~1.2", got ">= one"',
        },
        {
          field: 'spec.ref.semverFilter',
          problem: 'expected a regular expression such as ".*-rc.*", got "(rc", which does not compile',
        },
      ]);
    });

    it('values outside the operation and provider enums', () => {
      expect(issues(...base, 'layerSelector: {operation: unpack}', 'provider: github')).toEqual([
        { field: 'spec.layerSelector.operation', problem: 'expected one of "extract", "copy", got "unpack"' },
        { field: 'spec.provider', problem: 'expected one of "generic", "aws", "azure", "gcp", got "github"' },
      ]);
    });

    it('unknown fields, with the closest known one', () => {
      expect(
        issues(...base, 'ref: {semvar: "6.x"}', 'layerSelector: {mediatype: x}', 'secretref: {name: a}'),
      ).toEqual([
        { field: 'spec.secretref', problem: 'unknown field; did you mean spec.secretRef?' },
        {
          field: 'spec.layerSelector.mediatype',
          problem: 'unknown field; did you mean spec.layerSelector.mediaType?',
        },
        { field: 'spec.ref.semvar', problem: 'unknown field; did you mean spec.ref.semver?' },
      ]);
    });
  });
});
