// spec.decryption with Flux's CRD rules (provider: sops only, secretRef: {name}), workload identity refused,
// and Sluice's MAC opt-out annotation checked for a boolean.
import { describe, expect, it } from 'vitest';
import type { Kustomization } from '../../../shared/api/kustomization.ts';
import { decodeYaml, refusalOf } from './decode-helpers.ts';

const ks = (decryption: string, annotations = ''): string => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
${annotations}spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: fleet}
${decryption}`;

describe('Kustomization spec.decryption', () => {
  it('decodes provider sops with and without a secretRef', () => {
    const withRef = decodeYaml(
      ks('  decryption:\n    provider: sops\n    secretRef: {name: sops-keys}\n'),
    ) as Kustomization;
    expect(withRef.spec.decryption).toEqual({ provider: 'sops', secretRef: { name: 'sops-keys' } });
    const bare = decodeYaml(ks('  decryption: {provider: sops}\n')) as Kustomization;
    expect(bare.spec.decryption).toEqual({ provider: 'sops' });
  });

  it('refuses another provider, a missing provider, a secretRef without name and unknown fields', () => {
    expect(refusalOf(() => decodeYaml(ks('  decryption: {provider: vault}\n'))).message).toContain(
      'spec.decryption.provider',
    );
    expect(refusalOf(() => decodeYaml(ks('  decryption: {secretRef: {name: k}}\n'))).message).toContain(
      'spec.decryption.provider',
    );
    expect(
      refusalOf(() => decodeYaml(ks('  decryption: {provider: sops, secretRef: {}}\n'))).message,
    ).toContain('spec.decryption.secretRef.name');
    expect(
      refusalOf(() => decodeYaml(ks('  decryption: {provider: sops, secretref: {name: k}}\n'))).message,
    ).toContain('spec.decryption.secretref');
  });

  it('refuses decryption.serviceAccountName (no workload identity to lend)', () => {
    const refusal = refusalOf(() =>
      decodeYaml(ks('  decryption: {provider: sops, serviceAccountName: kms}\n')),
    );
    expect(refusal.message).toContain('spec.decryption.serviceAccountName');
  });

  it('accepts sluice.dev/sops-verify-mac "true" or "false" only', () => {
    const optOut = decodeYaml(
      ks('  decryption: {provider: sops}\n', '  annotations:\n    sluice.dev/sops-verify-mac: "false"\n'),
    ) as Kustomization;
    expect(optOut.metadata.annotations['sluice.dev/sops-verify-mac']).toBe('false');
    expect(
      refusalOf(() =>
        decodeYaml(
          ks('  decryption: {provider: sops}\n', '  annotations:\n    sluice.dev/sops-verify-mac: "no"\n'),
        ),
      ).message,
    ).toContain('sluice.dev/sops-verify-mac');
  });
});
