// kstatus' own status cases (sigs.k8s.io/cli-utils pkg/kstatus/status tests), each object and expected
// status and condition reason as kstatus computes them, plus the generic rules and malformed objects.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { computeStatus } from '../../../../shared/core/health/compute-status.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

interface Case {
  name: string;
  yaml: string;
  status: string;
  /** The Reconciling (InProgress) or Stalled (Failed) reason; absent for Current. */
  reason?: string;
}

const obj = (yaml: string): KubeObject => parse(yaml) as KubeObject;
const status = (c: Case) => computeStatus(obj(c.yaml), { now: NOW });

function expectCase(c: Case) {
  const result = status(c);
  expect(result.status).toBe(c.status);
  expect(result.reason).toBe(c.reason);
}

const pod = (status: string) => `
apiVersion: v1
kind: Pod
metadata: {generation: 1, name: test, namespace: qual}
${status}`;

const podCases: Case[] = [
  { name: 'podNoStatus', yaml: pod(''), status: 'InProgress', reason: 'PodNotObserved' },
  {
    name: 'podReady',
    yaml: pod('status: {phase: Running, conditions: [{type: Ready, status: "True"}]}'),
    status: 'Current',
  },
  {
    name: 'podCompletedSuccessfully',
    yaml: pod(
      'status: {phase: Succeeded, conditions: [{type: Ready, status: "False", reason: PodCompleted}]}',
    ),
    status: 'Current',
  },
  {
    name: 'podCompletedFailed',
    yaml: pod('status: {phase: Failed, conditions: [{type: Ready, status: "False", reason: PodCompleted}]}'),
    status: 'Current',
  },
  {
    name: 'podBeingScheduled',
    yaml: `
apiVersion: v1
kind: Pod
metadata: {creationTimestamp: "${new Date(NOW).toISOString()}", generation: 1, name: test, namespace: qual}
status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}`,
    status: 'InProgress',
    reason: 'PodNotScheduled',
  },
  {
    name: 'podUnschedulable',
    yaml: pod(
      'status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}',
    ),
    status: 'Failed',
    reason: 'PodUnschedulable',
  },
  {
    name: 'podCrashLooping',
    yaml: pod(`status:
  phase: Running
  conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]
  containerStatuses: [{name: nginx, state: {waiting: {reason: CrashLoopBackOff}}}]`),
    status: 'Failed',
    reason: 'ContainerCrashLooping',
  },
];

const pvcCases: Case[] = [
  {
    name: 'pvcNoStatus',
    yaml: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {generation: 1, name: test}',
    status: 'InProgress',
    reason: 'NotBound',
  },
  {
    name: 'pvcBound',
    yaml: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {generation: 1, name: test, namespace: qual}\nstatus: {phase: Bound}',
    status: 'Current',
  },
];

const sts = (rest: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {generation: 1, name: test, namespace: qual}
${rest}`;

const stsCases: Case[] = [
  { name: 'stsNoStatus', yaml: sts(''), status: 'InProgress', reason: 'LessReplicas' },
  {
    name: 'stsBadStatus',
    yaml: sts('status: {observedGeneration: 1, currentReplicas: 1}'),
    status: 'InProgress',
    reason: 'LessReplicas',
  },
  {
    name: 'stsOK',
    yaml: sts(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, currentReplicas: 4, readyReplicas: 4, replicas: 4}',
    ),
    status: 'Current',
  },
  {
    name: 'stsLessReady',
    yaml: sts(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, currentReplicas: 4, readyReplicas: 2, replicas: 4}',
    ),
    status: 'InProgress',
    reason: 'LessReady',
  },
  {
    name: 'stsLessCurrent',
    yaml: sts(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, currentReplicas: 2, readyReplicas: 4, replicas: 4}',
    ),
    status: 'InProgress',
    reason: 'LessCurrent',
  },
  {
    name: 'stsExtraPods',
    yaml: sts(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, currentReplicas: 4, readyReplicas: 4, replicas: 8}',
    ),
    status: 'InProgress',
    reason: 'ExtraPods',
  },
  {
    name: 'stsOnDelete (a user-managed rollout)',
    yaml: sts('spec: {replicas: 4, updateStrategy: {type: OnDelete}}\nstatus: {observedGeneration: 1}'),
    status: 'Current',
  },
  {
    name: 'stsPartitionRollout',
    yaml: sts(`spec: {replicas: 4, updateStrategy: {rollingUpdate: {partition: 2}}}
status: {observedGeneration: 1, replicas: 4, readyReplicas: 4, currentReplicas: 4, updatedReplicas: 1}`),
    status: 'InProgress',
    reason: 'PartitionRollout',
  },
  {
    name: 'stsRevisionMismatch',
    yaml: sts(`spec: {replicas: 1}
status: {observedGeneration: 1, replicas: 1, readyReplicas: 1, currentReplicas: 1, currentRevision: a, updateRevision: b}`),
    status: 'InProgress',
    reason: 'RevisionMismatch',
  },
];

const ds = (generation: number, status: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: test, namespace: qual, generation: ${generation}}
${status}`;

const dsCases: Case[] = [
  { name: 'dsNoStatus', yaml: ds(1, ''), status: 'InProgress', reason: 'NoObservedGeneration' },
  {
    name: 'dsBadStatus',
    yaml: ds(1, 'status: {observedGeneration: 1, currentReplicas: 1}'),
    status: 'InProgress',
    reason: 'NoDesiredNumber',
  },
  {
    name: 'dsOK',
    yaml: ds(
      1,
      'status: {desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 4, observedGeneration: 1}',
    ),
    status: 'Current',
  },
  {
    name: 'dsLessReady',
    yaml: ds(
      1,
      'status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 2}',
    ),
    status: 'InProgress',
    reason: 'LessReady',
  },
  {
    name: 'dsDifferentGeneration',
    yaml: ds(
      2,
      'status: {desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 4, observedGeneration: 1}',
    ),
    status: 'InProgress',
    reason: 'LatestGenerationNotObserved',
  },
  {
    name: 'dsLessAvailable',
    yaml: ds(
      1,
      'status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 2, numberReady: 4}',
    ),
    status: 'InProgress',
    reason: 'LessAvailable',
  },
];

const dep = (rest: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: test, generation: 1, namespace: qual}
${rest}`;
const depReplicas =
  'observedGeneration: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, replicas: 1';

const depCases: Case[] = [
  { name: 'depNoStatus', yaml: dep(''), status: 'InProgress', reason: 'LessReplicas' },
  {
    name: 'depOK',
    yaml: dep(
      `status: {${depReplicas}, conditions: [{type: Progressing, status: "True", reason: NewReplicaSetAvailable}, {type: Available, status: "True"}]}`,
    ),
    status: 'Current',
  },
  {
    name: 'depNotProgressing',
    yaml: dep(`spec: {progressDeadlineSeconds: 45}
status: {${depReplicas}, conditions: [{type: Progressing, status: "False", reason: Some reason}, {type: Available, status: "True"}]}`),
    status: 'InProgress',
    reason: 'ReplicaSetNotAvailable',
  },
  {
    name: 'depNoProgressDeadlineSeconds',
    yaml: dep(`status: {${depReplicas}, conditions: [{type: Available, status: "True"}]}`),
    status: 'Current',
  },
  {
    name: 'depNotAvailable',
    yaml: dep(
      `status: {${depReplicas}, conditions: [{type: Progressing, status: "True", reason: NewReplicaSetAvailable}, {type: Available, status: "False"}]}`,
    ),
    status: 'InProgress',
    reason: 'DeploymentNotAvailable',
  },
  {
    name: 'depProgressDeadlineExceeded',
    yaml: dep(
      `status: {${depReplicas}, conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded}]}`,
    ),
    status: 'Failed',
    reason: 'ProgressDeadlineExceeded',
  },
];

const rs = (rest: string) => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: test, namespace: qual, generation: 1}
${rest}`;

const rsCases: Case[] = [
  { name: 'rsNoStatus', yaml: rs(''), status: 'InProgress', reason: 'LessLabelled' },
  {
    name: 'rsOK1',
    yaml: rs(
      'spec: {replicas: 2}\nstatus: {observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, conditions: [{type: ReplicaFailure, status: "False"}]}',
    ),
    status: 'Current',
  },
  {
    name: 'rsOK2',
    yaml: rs(
      'spec: {replicas: 2}\nstatus: {observedGeneration: 1, fullyLabeledReplicas: 2, replicas: 2, readyReplicas: 2, availableReplicas: 2}',
    ),
    status: 'Current',
  },
  {
    name: 'rsLessAvailable',
    yaml: rs(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, replicas: 4, readyReplicas: 4, availableReplicas: 2, fullyLabeledReplicas: 4}',
    ),
    status: 'InProgress',
    reason: 'LessAvailable',
  },
  {
    name: 'rsLessReady',
    yaml: rs(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, replicas: 4, readyReplicas: 2, availableReplicas: 4, fullyLabeledReplicas: 4}',
    ),
    status: 'InProgress',
    reason: 'LessReady',
  },
  {
    name: 'rsReplicaFailure',
    yaml: rs(
      'spec: {replicas: 4}\nstatus: {observedGeneration: 1, replicas: 4, readyReplicas: 4, fullyLabeledReplicas: 4, availableReplicas: 4, conditions: [{type: ReplicaFailure, status: "True"}]}',
    ),
    status: 'InProgress',
    reason: 'ReplicaFailure',
  },
];

const pdbCases: Case[] = [
  {
    name: 'pdbNotObserved',
    yaml: 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {generation: 2, name: test, namespace: qual}\nstatus: {observedGeneration: 1}',
    status: 'InProgress',
    reason: 'LatestGenerationNotObserved',
  },
  {
    name: 'pdbObserved',
    yaml: 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {generation: 1, name: test, namespace: qual}\nstatus: {observedGeneration: 1}',
    status: 'Current',
  },
];

const cr = (rest: string) => `
apiVersion: something/v1
kind: MyCR
metadata: {name: test, namespace: qual, generation: 1}
${rest}`;

const genericCases: Case[] = [
  { name: 'crdNoStatus', yaml: cr(''), status: 'Current' },
  {
    name: 'crdReady',
    yaml: cr('status: {conditions: [{type: Ready, status: "True", message: All looks ok, reason: AllOk}]}'),
    status: 'Current',
  },
  {
    name: 'crdNotReady',
    yaml: cr(
      'status: {observedGeneration: 1, conditions: [{type: Ready, status: "False", reason: NotReadyYet}]}',
    ),
    status: 'InProgress',
    reason: 'NotReadyYet',
  },
  {
    name: 'crdNoCondition',
    yaml: cr('status: {conditions: [{type: SomeCondition, status: "False"}]}'),
    status: 'Current',
  },
  {
    name: 'crdMismatchStatusGeneration',
    yaml: 'apiVersion: something/v1\nkind: MyCR\nmetadata: {name: test, namespace: qual, generation: 2}\nstatus: {observedGeneration: 1}',
    status: 'InProgress',
    reason: 'LatestGenerationNotObserved',
  },
  {
    name: 'a Reconciling condition (the standard abnormal-true one)',
    yaml: cr('status: {conditions: [{type: Reconciling, status: "True", reason: Progressing}]}'),
    status: 'InProgress',
    reason: 'Progressing',
  },
  {
    name: 'a Stalled condition',
    yaml: cr('status: {conditions: [{type: Stalled, status: "True", reason: BadConfig, message: no}]}'),
    status: 'Failed',
    reason: 'BadConfig',
  },
  {
    name: 'a Ready condition of status Unknown',
    yaml: cr('status: {conditions: [{type: Ready, status: Unknown, reason: Checking}]}'),
    status: 'InProgress',
    reason: 'Checking',
  },
  {
    name: 'a deletionTimestamp (before any other rule)',
    yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: test, deletionTimestamp: "2026-01-01T00:00:00Z"}',
    status: 'Terminating',
  },
];

const job = (rest: string) => `
apiVersion: batch/v1
kind: Job
metadata: {name: test, namespace: qual, generation: 1}
${rest}`;

const jobCases: Case[] = [
  { name: 'jobNoStatus', yaml: job(''), status: 'InProgress', reason: 'JobNotStarted' },
  {
    name: 'jobComplete',
    yaml: job('status: {succeeded: 1, active: 0, conditions: [{type: Complete, status: "True"}]}'),
    status: 'Current',
  },
  {
    name: 'jobFailed',
    yaml: job(
      'spec: {completions: 4}\nstatus: {succeeded: 3, failed: 1, conditions: [{type: Failed, status: "True", reason: JobFailed}]}',
    ),
    status: 'Failed',
    reason: 'JobFailed',
  },
  {
    name: 'jobInProgress',
    yaml: job(`spec: {completions: 10, parallelism: 2}
status: {startTime: "2019-06-04T01:17:13Z", succeeded: 3, failed: 1, active: 2, conditions: [{type: Failed, status: "False"}, {type: Complete, status: "False"}]}`),
    status: 'Current',
  },
  {
    name: 'a suspended Job',
    yaml: job('spec: {suspend: true}\nstatus: {conditions: [{type: Suspended, status: "True"}]}'),
    status: 'Current',
  },
  {
    name: 'a previously suspended Job',
    yaml: job('spec: {suspend: false}\nstatus: {conditions: [{type: Suspended, status: "False"}]}'),
    status: 'InProgress',
    reason: 'JobNotStarted',
  },
  {
    name: 'a Job on its way to suspension',
    yaml: job('spec: {suspend: true}\nstatus: {conditions: [{type: Suspended, status: "False"}]}'),
    status: 'InProgress',
    reason: 'JobNotStarted',
  },
  {
    name: 'a Job on its way out of suspension',
    yaml: job('spec: {suspend: false}\nstatus: {conditions: [{type: Suspended, status: "True"}]}'),
    status: 'InProgress',
    reason: 'JobNotStarted',
  },
];

const alwaysReadyCases: Case[] = [
  {
    name: 'cronjobNoStatus',
    yaml: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: test, namespace: qual, generation: 1}',
    status: 'Current',
  },
  {
    name: 'cronjobWithStatus',
    yaml: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: test, namespace: qual, generation: 1}\nstatus:',
    status: 'Current',
  },
  { name: 'a ConfigMap', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}', status: 'Current' },
  { name: 'a Secret', yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}', status: 'Current' },
];

const svc = (spec: string) => `
apiVersion: v1
kind: Service
metadata: {name: test, namespace: qual, generation: 1}
${spec}`;

const serviceCases: Case[] = [
  { name: 'serviceDefault', yaml: svc(''), status: 'Current' },
  { name: 'serviceNodePort', yaml: svc('spec: {type: NodePort}'), status: 'Current' },
  {
    name: 'serviceLBnok',
    yaml: svc('spec: {type: LoadBalancer}'),
    status: 'InProgress',
    reason: 'NoIPAssigned',
  },
  { name: 'serviceLBok', yaml: svc('spec: {type: LoadBalancer, clusterIP: "1.2.3.4"}'), status: 'Current' },
];

const crd = (status: string) => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {generation: 1}
${status}`;

const crdCases: Case[] = [
  { name: 'crdNoConditions', yaml: crd(''), status: 'InProgress', reason: 'Installing' },
  {
    name: 'crdInstalling',
    yaml: crd(
      'status: {conditions: [{type: NamesAccepted, status: "True", reason: NoConflicts}, {type: Established, status: "False", reason: Installing}]}',
    ),
    status: 'InProgress',
    reason: 'Installing',
  },
  {
    name: 'crdNamesNotAccepted',
    yaml: crd('status: {conditions: [{type: NamesAccepted, status: "False", reason: SomeReason}]}'),
    status: 'Failed',
    reason: 'SomeReason',
  },
  {
    name: 'crdEstablished',
    yaml: crd(
      'status: {conditions: [{type: NamesAccepted, status: "True", reason: NoConflicts}, {type: Established, status: "True", reason: InitialNamesAccepted}]}',
    ),
    status: 'Current',
  },
];

describe('computeStatus (kstatus rules)', () => {
  it.each(podCases)('Pod: $name is $status', expectCase);
  it.each(pvcCases)('PersistentVolumeClaim: $name is $status', expectCase);
  it.each(stsCases)('StatefulSet: $name is $status', expectCase);
  it.each(dsCases)('DaemonSet: $name is $status', expectCase);
  it.each(depCases)('Deployment: $name is $status', expectCase);
  it.each(rsCases)('ReplicaSet: $name is $status', expectCase);
  it.each(pdbCases)('PodDisruptionBudget: $name is $status', expectCase);
  it.each(genericCases)('generic object: $name is $status', expectCase);
  it.each(jobCases)('Job: $name is $status', expectCase);
  it.each(alwaysReadyCases)('$name is $status', expectCase);
  it.each(serviceCases)('Service: $name is $status', expectCase);
  it.each(crdCases)('CustomResourceDefinition: $name is $status', expectCase);

  it('measures the unschedulable grace window against the clock it is given, not the wall clock', () => {
    const created = '2026-01-01T00:00:00Z';
    const pending = obj(`
apiVersion: v1
kind: Pod
metadata: {name: p, creationTimestamp: "${created}"}
status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}`);
    expect(computeStatus(pending, { now: Date.parse(created) + 14_000 }).reason).toBe('PodNotScheduled');
    expect(computeStatus(pending, { now: Date.parse(created) + 16_000 }).reason).toBe('PodUnschedulable');
  });

  it('reads timestamps that @kubernetes/client-node turned into Dates as the strings Go would hold', () => {
    const deleting = { ...obj(dep('')), metadata: { name: 'd', deletionTimestamp: new Date(NOW) } };
    expect(computeStatus(deleting, { now: NOW }).status).toBe('Terminating');
    const started = { ...obj(job('')), status: { startTime: new Date(NOW) } };
    expect(computeStatus(started, { now: NOW }).status).toBe('Current');
  });

  it('says what the rule concluded, in kstatus words', () => {
    const result = computeStatus(obj(dep('spec: {replicas: 3}\nstatus: {replicas: 1}')), { now: NOW });
    expect(result.message).toBe('Replicas: 1/3');
  });

  it.each([
    ['a string observedGeneration', cr('status: {observedGeneration: "1"}')],
    ['conditions that are not a list', cr('status: {conditions: Ready}')],
    ['a condition whose status is not a string', cr('status: {conditions: [{type: Ready, status: true}]}')],
    ['a Pod phase kstatus does not know', pod('status: {phase: Exploded}')],
  ])('is Unknown for %s, naming the field', (_, yaml) => {
    const result = computeStatus(obj(yaml), { now: NOW });
    expect(result.status).toBe('Unknown');
    expect(result.message).not.toBe('');
  });
});
