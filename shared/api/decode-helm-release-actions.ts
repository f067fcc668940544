// A HelmRelease's Helm actions (install, upgrade, uninstall, and test and rollback, which Sluice only
// validates) with helm-controller's v2 CRD rules and defaults.
import { optional } from './decode-git-repository.ts';
import { integer } from './decode-helm-release-parts.ts';
import type { FieldReader } from './field-reader.ts';
import {
  HELM_ACTION_STRATEGY_FIELDS,
  HELM_INSTALL_FIELDS,
  HELM_INSTALL_REMEDIATION_FIELDS,
  HELM_ROLLBACK_FIELDS,
  HELM_TEST_FIELDS,
  HELM_TEST_FILTER_FIELDS,
  HELM_UNINSTALL_FIELDS,
  HELM_UPGRADE_FIELDS,
  HELM_UPGRADE_REMEDIATION_FIELDS,
} from './flux-fields.ts';
import type { CrdPolicy, HelmRelease, HelmReleaseAction } from './helm-release.ts';

type Raw = Record<string, unknown>;
type Spec = HelmRelease['spec'];

const CRD_POLICIES = ['Skip', 'Create', 'CreateReplace'] as const;
const SSA_MODES = ['enabled', 'disabled', 'auto'] as const;

/**
 * install: Flux's default CRD policy is Create. createNamespace counts only with a targetNamespace, as
 * helm-controller sets it only then (install.go).
 */
export function decodeInstall(
  r: FieldReader,
  spec: Raw | undefined,
  targetNamespace: string | undefined,
): Spec['install'] {
  const raw = r.object(spec, 'install', 'spec.install');
  r.knownFields(raw, 'spec.install', HELM_INSTALL_FIELDS);
  const action = readAction(r, raw, 'spec.install', HELM_INSTALL_REMEDIATION_FIELDS);
  r.boolean(raw, 'replace', 'spec.install.replace');
  r.boolean(raw, 'skipCRDs', 'spec.install.skipCRDs');
  r.boolean(raw, 'serverSideApply', 'spec.install.serverSideApply');
  const createNamespace = r.boolean(raw, 'createNamespace', 'spec.install.createNamespace') ?? false;
  return { ...action, createNamespace: createNamespace && targetNamespace !== undefined };
}

/**
 * upgrade: the CRD policy defaults to Create, as helm-controller's code does (crdPolicyOrDefault in
 * internal/action/crds.go, for upgrade since v0.37), although its API docs still say Skip.
 */
export function decodeUpgrade(r: FieldReader, spec: Raw | undefined): Spec['upgrade'] {
  const raw = r.object(spec, 'upgrade', 'spec.upgrade');
  r.knownFields(raw, 'spec.upgrade', HELM_UPGRADE_FIELDS);
  const action = readAction(r, raw, 'spec.upgrade', HELM_UPGRADE_REMEDIATION_FIELDS);
  r.boolean(raw, 'preserveValues', 'spec.upgrade.preserveValues');
  r.boolean(raw, 'cleanupOnFail', 'spec.upgrade.cleanupOnFail');
  r.string(raw, 'serverSideApply', 'spec.upgrade.serverSideApply', { oneOf: SSA_MODES });
  r.string(raw, 'chartNameChangeStrategy', 'spec.upgrade.chartNameChangeStrategy', {
    oneOf: ['InPlaceUpdate', 'Reinstall'],
  });
  return { ...action, force: r.boolean(raw, 'force', 'spec.upgrade.force') ?? false };
}

function readAction(
  r: FieldReader,
  raw: Raw | undefined,
  path: string,
  remediationFields: readonly string[],
): HelmReleaseAction {
  const crds = r.string(raw, 'crds', `${path}.crds`, { oneOf: CRD_POLICIES });
  for (const flag of [
    'disableTakeOwnership',
    'disableWaitForJobs',
    'disableOpenAPIValidation',
    'disableSchemaValidation',
  ])
    r.boolean(raw, flag, `${path}.${flag}`);
  const strategy = r.object(raw, 'strategy', `${path}.strategy`);
  r.knownFields(strategy, `${path}.strategy`, HELM_ACTION_STRATEGY_FIELDS);
  const name =
    strategy &&
    r.string(strategy, 'name', `${path}.strategy.name`, {
      required: true,
      oneOf: ['RemediateOnFailure', 'RetryOnFailure'],
    });
  if (
    r.duration(strategy, 'retryInterval', `${path}.strategy.retryInterval`) !== undefined &&
    name === 'RemediateOnFailure'
  )
    r.fail(`${path}.strategy.retryInterval`, "can only be set when name is 'RetryOnFailure'");
  const remediation = r.object(raw, 'remediation', `${path}.remediation`);
  r.knownFields(remediation, `${path}.remediation`, remediationFields);
  r.boolean(remediation, 'ignoreTestFailures', `${path}.remediation.ignoreTestFailures`);
  r.boolean(remediation, 'remediateLastFailure', `${path}.remediation.remediateLastFailure`);
  if (remediationFields.includes('strategy'))
    r.string(remediation, 'strategy', `${path}.remediation.strategy`, { oneOf: ['rollback', 'uninstall'] });
  return {
    crds: (CRD_POLICIES as readonly string[]).includes(crds ?? '') ? (crds as CrdPolicy) : 'Create',
    disableHooks: r.boolean(raw, 'disableHooks', `${path}.disableHooks`) ?? false,
    disableWait: r.boolean(raw, 'disableWait', `${path}.disableWait`) ?? false,
    ...optional('timeoutMs', r.duration(raw, 'timeout', `${path}.timeout`)),
    remediationRetries: integer(r, remediation, 'retries', `${path}.remediation.retries`) ?? 0,
  };
}

export function decodeUninstall(r: FieldReader, spec: Raw | undefined): Spec['uninstall'] {
  const raw = r.object(spec, 'uninstall', 'spec.uninstall');
  r.knownFields(raw, 'spec.uninstall', HELM_UNINSTALL_FIELDS);
  r.boolean(raw, 'disableWait', 'spec.uninstall.disableWait');
  r.string(raw, 'deletionPropagation', 'spec.uninstall.deletionPropagation', {
    oneOf: ['background', 'foreground', 'orphan'],
  });
  return {
    keepHistory: r.boolean(raw, 'keepHistory', 'spec.uninstall.keepHistory') ?? false,
    disableHooks: r.boolean(raw, 'disableHooks', 'spec.uninstall.disableHooks') ?? false,
    ...optional('timeoutMs', r.duration(raw, 'timeout', 'spec.uninstall.timeout')),
  };
}

/** test and rollback: Sluice runs neither (see notHonoured), but a malformed one is refused as Flux would. */
export function validateTestAndRollback(r: FieldReader, spec: Raw | undefined): void {
  const test = r.object(spec, 'test', 'spec.test');
  r.knownFields(test, 'spec.test', HELM_TEST_FIELDS);
  r.boolean(test, 'enable', 'spec.test.enable');
  r.boolean(test, 'ignoreFailures', 'spec.test.ignoreFailures');
  r.duration(test, 'timeout', 'spec.test.timeout');
  r.objects(test, 'filters', 'spec.test.filters', (item, path) => {
    r.knownFields(item, path, HELM_TEST_FILTER_FIELDS);
    r.string(item, 'name', `${path}.name`, { required: true, maxLength: 253 });
    r.boolean(item, 'exclude', `${path}.exclude`);
  });
  const rollback = r.object(spec, 'rollback', 'spec.rollback');
  r.knownFields(rollback, 'spec.rollback', HELM_ROLLBACK_FIELDS);
  r.duration(rollback, 'timeout', 'spec.rollback.timeout');
  for (const flag of [
    'disableWait',
    'disableWaitForJobs',
    'disableHooks',
    'recreate',
    'force',
    'cleanupOnFail',
  ])
    r.boolean(rollback, flag, `spec.rollback.${flag}`);
  r.string(rollback, 'serverSideApply', 'spec.rollback.serverSideApply', { oneOf: SSA_MODES });
}
