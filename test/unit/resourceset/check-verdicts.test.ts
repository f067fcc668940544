// What `sluice check` says of each ResourceSet and input provider of a render: delivered, different (what
// Sluice does not do), unsupported (a provider that asks a service) or error (with the reason).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/core/render/yaml-codec.ts';
import { resourceSetVerdicts } from '../../../shared/core/resourceset/check-verdicts.ts';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const rset = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'ResourceSet',
  metadata: { name, namespace: 'flux-system' },
  spec,
});
const provider = (name: string, type: string): KubeObject => ({
  apiVersion: 'fluxcd.controlplane.io/v1',
  kind: 'ResourceSetInputProvider',
  metadata: { name, namespace: 'flux-system' },
  spec: {
    type,
    ...(type === 'Static' ? { defaultValues: { team: 'a' } } : { url: 'https://github.com/org/app' }),
  },
});

describe('resourceSetVerdicts', () => {
  it('gives each ResourceSet and provider its own verdict, one failure hiding none of the others', () => {
    const verdicts = resourceSetVerdicts(
      [
        rset('plain', { inputs: [{ team: 'a' }], resources: [ns('<< inputs.team >>')] }),
        rset('waits', {
          dependsOn: [{ apiVersion: 'v1', kind: 'Namespace', name: 'x' }],
          resources: [ns('w')],
        }),
        rset('prs', { inputsFrom: [{ name: 'pull-requests' }], resources: [ns('pr-<< inputs.id >>')] }),
        rset('broken', { inputs: [{ team: 'a' }], resources: [ns('<< inputs.nope >>')] }),
        rset('static', { inputsFrom: [{ name: 'defaults' }], resources: [ns('<< inputs.team >>')] }),
        provider('pull-requests', 'GitHubPullRequest'),
        provider('defaults', 'Static'),
      ],
      'Kustomization/flux-system/flux-system',
    );
    expect(verdicts.map((v) => `${v.kind}/${v.name}: ${v.verdict}`)).toEqual([
      'ResourceSet/plain: delivered',
      'ResourceSet/waits: different',
      'ResourceSet/prs: unsupported',
      'ResourceSet/broken: error',
      'ResourceSet/static: delivered',
      'ResourceSetInputProvider/pull-requests: unsupported',
      'ResourceSetInputProvider/defaults: delivered',
    ]);
    expect(verdicts.find((v) => v.name === 'prs')?.reason).toMatch(
      /^ResourceSetInputProvider\/flux-system\/pull-requests: input provider type GitHubPullRequest is not supported by Sluice yet/,
    );
    expect(verdicts.find((v) => v.name === 'broken')?.reason).toMatch(/map has no entry for key "nope"$/);
  });
});
