// Drift as the puller decides and reports it: the fields where a dry run differs from the live object
// (paths only), Flux's drift ignore rules (JSON pointers, anchored regular expressions, label selectors),
// and the bounded summary the control plane stores and `sluice status` prints.
import { describe, expect, it } from 'vitest';
import { driftLines } from '../../../../cli/commands/status-drift.ts';
import {
  boundedFindings,
  describeDrift,
  driftedFields,
  driftedObject,
  driftSummary,
  MAX_DRIFT_FIELDS,
  MAX_DRIFT_OBJECTS,
} from '../../../../shared/core/apply/drift.ts';
import {
  compileIgnoreRules,
  keepIgnoredFields,
  ownedByOtherApplier,
  ruleProblem,
  withoutFields,
} from '../../../../shared/core/apply/drift-ignore.ts';
import { cleanupPatch } from '../../../../shared/core/apply/field-manager-cleanup.ts';
import { readPointer, removePointer } from '../../../../shared/core/apply/json-pointer.ts';
import { parseLabelSelector } from '../../../../shared/core/apply/label-selector.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

const deployment = (
  replicas: number,
  image = 'nginx:1.27',
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', labels, resourceVersion: '7', managedFields: [] },
  spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } },
  status: { readyReplicas: 1 },
});

describe('driftedFields', () => {
  it('names each changed field as Kubernetes does, ignoring status and server metadata', () => {
    const live = deployment(5, 'nginx:1.28', { team: 'x' });
    const dryRun: KubeObject = {
      ...deployment(2, 'nginx:1.27', { team: 'x' }),
      status: { readyReplicas: 3 },
    };
    (dryRun.metadata as { resourceVersion: string }).resourceVersion = '8';
    expect(driftedFields(live, dryRun)).toEqual([
      '.spec.replicas',
      '.spec.template.spec.containers[0].image',
    ]);
  });

  it('names a label or annotation key that needs quoting, and nothing when equal', () => {
    const live = deployment(1, 'a', { 'app.kubernetes.io/name': 'other' });
    expect(driftedFields(live, deployment(1, 'a', { 'app.kubernetes.io/name': 'web' }))).toEqual([
      '.metadata.labels["app.kubernetes.io/name"]',
    ]);
    expect(driftedFields(live, structuredClone(live))).toEqual([]);
  });

  it('bounds the fields named per object and the objects named per summary', () => {
    const fields = Array.from({ length: MAX_DRIFT_FIELDS + 3 }, (_, i) => `.data.k${i}`);
    expect(driftedObject('ConfigMap/apps/a', fields)).toMatchObject({ moreFields: 3 });
    const many = Array.from({ length: MAX_DRIFT_OBJECTS + 5 }, (_, i) =>
      driftedObject(`ConfigMap/apps/${i}`, []),
    );
    expect(driftSummary(many)).toMatchObject({ objects: MAX_DRIFT_OBJECTS + 5 });
    expect(driftSummary(many)?.corrected).toHaveLength(MAX_DRIFT_OBJECTS);
    expect(describeDrift(driftSummary(many) ?? { objects: 0, corrected: [] })).toMatch(/, \+5 more$/);
  });
});

describe('JSON pointers', () => {
  it('read and remove RFC 6901 paths, with ~1 for / and ~0 for ~ in a key', () => {
    const obj = { metadata: { annotations: { 'a/b': '1', 'c~d': '2' } }, list: [{ x: 1 }] };
    expect(readPointer(obj, '/metadata/annotations/a~1b')).toEqual({ found: true, value: '1' });
    expect(readPointer(obj, '/list/0/x')).toEqual({ found: true, value: 1 });
    expect(readPointer(obj, '/list/1/x').found).toBe(false);
    removePointer(obj, '/metadata/annotations/c~0d');
    expect(obj.metadata.annotations).toEqual({ 'a/b': '1' });
  });
});

describe('label selector expressions', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web,tier!=db', { app: 'web', tier: 'db' }, false],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env notin (prod)', {}, true],
    ['!legacy', { legacy: 'yes' }, false],
    ['owner', { owner: '' }, true],
  ])('%s on %j is %s', (expr, labels, expected) => {
    expect(parseLabelSelector(expr)(labels)).toBe(expected);
  });
});

describe('drift ignore rules', () => {
  it('apply their paths to the objects their target selects, with anchored regular expressions', () => {
    const ignored = compileIgnoreRules([
      { paths: ['/spec/replicas'], target: { kind: 'Deploy' } },
      { paths: ['/spec/template'], target: { group: 'apps', kind: 'Deployment|StatefulSet', name: 'w.*' } },
      { paths: ['/metadata/annotations/x'], target: { labelSelector: 'team=x' } },
      { paths: ['/data'] },
    ]);
    expect(ignored(deployment(1))).toEqual(['/spec/template', '/data']);
    expect(ignored(deployment(1, 'a', { team: 'x' }))).toEqual([
      '/spec/template',
      '/metadata/annotations/x',
      '/data',
    ]);
  });

  it('are checked when decoded: pointers, regular expressions and selectors', () => {
    expect(ruleProblem({ paths: ['spec/replicas'] })).toMatchObject({ field: 'paths[0]' });
    expect(ruleProblem({ paths: ['/a'], target: { kind: '(' } })).toMatchObject({ field: 'target.kind' });
    expect(ruleProblem({ paths: ['/a'], target: { labelSelector: 'a in (' } })).toMatchObject({
      field: 'target.labelSelector',
    });
    expect(ruleProblem({ paths: ['/spec/replicas'], target: { kind: 'Deployment' } })).toBeUndefined();
  });

  it('keep a drifted ignored field: dropped when another applier owns it, else applied with its live value', () => {
    const live = deployment(5);
    (live.metadata as { managedFields: unknown[] }).managedFields = [
      { manager: 'hpa', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ];
    const applied = deployment(2);
    const dropped = keepIgnoredFields(
      applied,
      live,
      deployment(2),
      ['/spec/replicas'],
      ownedByOtherApplier(live, 'sluice'),
    );
    expect(readPointer(dropped, '/spec/replicas').found).toBe(false);
    const adopted = keepIgnoredFields(applied, deployment(7), deployment(2), ['/spec/replicas'], () => false);
    expect(readPointer(adopted, '/spec/replicas').value).toBe(7);
    expect(
      driftedFields(
        withoutFields(live, ['/spec/replicas']),
        withoutFields(deployment(2), ['/spec/replicas']),
      ),
    ).toEqual([]);
  });
});

describe("Flux's cleanup of kubectl's field ownership", () => {
  const cm = (managedFields: unknown[], annotations: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'apps', annotations, managedFields },
  });
  const entry = (manager: string, operation: string, fields: object, subresource?: string) => ({
    manager,
    operation,
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
    ...(subresource && { subresource }),
  });

  it("merges kubectl's and before-first-apply's entries into the puller's Apply entry, others kept", () => {
    const live = cm(
      [
        entry('sluice', 'Apply', { 'f:data': { 'f:a': {} } }),
        entry('kubectl-edit', 'Update', { 'f:data': { 'f:b': {} } }),
        entry('kubectl', 'Apply', { 'f:data': { 'f:c': {} } }),
        entry('before-first-apply', 'Update', { 'f:metadata': {} }),
        entry('kubectl', 'Update', { 'f:status': {} }, 'status'),
        entry('hpa-controller', 'Update', { 'f:data': { 'f:d': {} } }),
      ],
      { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    );
    const patch = cleanupPatch(live, cm([]), 'sluice');
    expect(patch?.metadata).toEqual({
      name: 'a',
      namespace: 'apps',
      managedFields: [
        entry('kubectl', 'Update', { 'f:status': {} }, 'status'),
        entry('hpa-controller', 'Update', { 'f:data': { 'f:d': {} } }),
        entry('sluice', 'Apply', { 'f:data': { 'f:a': {}, 'f:b': {}, 'f:c': {} }, 'f:metadata': {} }),
      ],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': null },
    });
  });

  it('leaves an object marked ssa: Merge, and one with nothing to clean, alone', () => {
    const live = cm([entry('kubectl-edit', 'Update', { 'f:data': {} })]);
    const merge = cm([], { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' });
    expect(cleanupPatch(live, merge, 'sluice')).toBeUndefined();
    expect(cleanupPatch(cm([entry('sluice', 'Apply', {})]), cm([]), 'sluice')).toBeUndefined();
  });
});

describe('what the control plane stores and status prints', () => {
  it('keeps only the shapes and bounds of drift and conflicts from a report', () => {
    const findings = boundedFindings({
      drift: {
        objects: 1,
        corrected: [{ object: 'ConfigMap/apps/a', fields: ['.data.x', 42], value: 'smuggled' }],
      },
      conflicts: [{ object: 'ConfigMap/apps/a', manager: 'kubectl', fields: ['.data.x'] }, 'junk'],
    });
    expect(findings).toEqual({
      drift: { objects: 1, corrected: [{ object: 'ConfigMap/apps/a', fields: ['.data.x'] }] },
      conflicts: [{ object: 'ConfigMap/apps/a', manager: 'kubectl', fields: ['.data.x'] }],
    });
    expect(boundedFindings({ drift: 'x', conflicts: {} })).toEqual({});
  });

  it('keeps drift that was only reported (driftDetection.mode warn) as such, deleted objects named', () => {
    const findings = boundedFindings({
      drift: {
        objects: 2,
        notCorrected: true,
        corrected: [
          { object: 'ConfigMap/hello/settings', fields: ['.data.greeting'] },
          { object: 'ConfigMap/hello/extra', fields: [], deleted: true },
        ],
      },
    });
    expect(findings.drift?.notCorrected).toBe(true);
    expect(findings.drift?.corrected[1]).toEqual({
      object: 'ConfigMap/hello/extra',
      fields: [],
      deleted: true,
    });
    expect(boundedFindings({ drift: { objects: 1, corrected: [], notCorrected: 'yes' } })).toEqual({
      drift: { objects: 1, corrected: [] },
    });
    const lines = driftLines([
      {
        kind: 'HelmRelease',
        namespace: 'flux-system',
        name: 'hello',
        apply: { at: 'T', ...findings },
      } as never,
    ]);
    expect(lines).toEqual([
      '  HelmRelease/flux-system/hello: drift detected, not corrected (driftDetection.mode: warn), in 2 objects: ConfigMap/hello/settings (.data.greeting), ConfigMap/hello/extra (deleted) (at T)',
    ]);
  });

  it('prints a DRIFT line per target with drift or conflicts in its last reconcile', () => {
    const lines = driftLines([
      {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps',
        apply: {
          at: '2026-11-30T12:00:00.000Z',
          drift: {
            objects: 2,
            corrected: [
              { object: 'ConfigMap/apps/settings', fields: ['.data.color'] },
              { object: 'Deployment/apps/web', fields: [], recreated: true },
            ],
          },
          conflicts: [
            { object: 'ConfigMap/apps/settings', manager: 'kubectl-edit', fields: ['.data.color'] },
          ],
        },
      } as never,
    ]);
    expect(lines).toEqual([
      '  flux-system/apps: drift corrected in 2 objects: ConfigMap/apps/settings (.data.color), Deployment/apps/web (recreated) (at 2026-11-30T12:00:00.000Z)',
      '  flux-system/apps: field manager conflicts taken over: ConfigMap/apps/settings .data.color from "kubectl-edit" (at 2026-11-30T12:00:00.000Z)',
    ]);
  });
});
