// The HelmRelease fields Flux acts on and Sluice accepts without carrying out, as status warnings: a fleet
// moved from Flux keeps working, and `sluice status` says what behaves differently instead of hiding it.
import { isRecord } from './field-reader.ts';

type Raw = Record<string, unknown>;

const ACTION_FLAGS: [flag: string, why: string][] = [
  [
    'disableTakeOwnership',
    'Sluice takes over existing objects into the release (Flux does too by default); it does not refuse objects another owner created',
  ],
  ['disableWaitForJobs', 'waiting follows disableWait only'],
  ['disableOpenAPIValidation', 'the API server validates every object when the puller applies it'],
  [
    'disableSchemaValidation',
    "values are always checked against the chart's values.schema.json when it is rendered",
  ],
];

/**
 * One warning per field set to something Sluice does not do, each `<field>: <what Sluice does instead>`, for
 * a spec already validated by decodeHelmRelease. Fields at their defaults, or without effect in Flux either
 * (test options while tests are off), give none.
 */
export function notHonoured(spec: Raw): string[] {
  const warnings: string[] = [];
  const warn = (field: string, why: string) => warnings.push(`${field}: ${why}`);
  const install = record(spec.install);
  const upgrade = record(spec.upgrade);

  if (record(spec.test).enable === true)
    warn(
      'spec.test',
      'Helm tests are not run by Sluice: test hooks are dropped when the chart is rendered, so the release is Ready without them; run `helm test` against the cluster if you need them',
    );
  if (spec.rollback !== undefined && spec.rollback !== null)
    warn('spec.rollback', 'Sluice never runs a Helm rollback, so these options have no effect');
  for (const [path, action] of [
    ['spec.install', install],
    ['spec.upgrade', upgrade],
  ] as const) {
    // A failed release is retried on the puller's next reconcile: RetryOnFailure, without its own interval.
    if (record(action.strategy).retryInterval !== undefined)
      warn(
        `${path}.strategy.retryInterval`,
        "not honoured by Sluice: a failed release is retried on the puller's next reconcile, at the puller's interval",
      );
    const remediation = record(action.remediation);
    const unused = ['ignoreTestFailures', 'remediateLastFailure', 'strategy'].filter(
      (k) => remediation[k] !== undefined,
    );
    if (unused.length > 0)
      warn(
        `${path}.remediation`,
        `${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} not used by Sluice: it does not roll back or uninstall a failed release`,
      );
    // Flux gives up (and remediates) after `retries`; the puller tries a failed release again every reconcile.
    if (typeof remediation.retries === 'number' && remediation.retries > 0)
      warn(
        `${path}.remediation.retries`,
        'not honoured by Sluice: a failed release is tried again at every puller reconcile, without a limit, and never rolled back or uninstalled',
      );
    for (const [flag, why] of ACTION_FLAGS)
      if (action[flag] === true) warn(`${path}.${flag}`, `not honoured by Sluice: ${why}`);
  }
  if (install.replace === true)
    warn('spec.install.replace', 'has no effect in Sluice, which keeps the release history itself');
  if (install.skipCRDs === true)
    warn(
      'spec.install.skipCRDs',
      'deprecated and not read by Flux v2 nor by Sluice; set spec.install.crds: Skip instead',
    );
  if (install.serverSideApply === false || upgrade.serverSideApply === 'disabled')
    warn(
      install.serverSideApply === false ? 'spec.install.serverSideApply' : 'spec.upgrade.serverSideApply',
      'Sluice always applies with server-side apply',
    );
  if (upgrade.preserveValues === true)
    warn(
      'spec.upgrade.preserveValues',
      "not honoured by Sluice: a release is rendered from its declared values only, never the previous release's",
    );
  if (upgrade.cleanupOnFail === true)
    warn(
      'spec.upgrade.cleanupOnFail',
      'not honoured by Sluice: objects a failed upgrade created are not deleted',
    );
  if (upgrade.chartNameChangeStrategy === 'Reinstall')
    warn(
      'spec.upgrade.chartNameChangeStrategy',
      'Sluice upgrades the release in place when the chart name changes',
    );
  const propagation = record(spec.uninstall).deletionPropagation;
  if (propagation === 'foreground' || propagation === 'orphan')
    warn(
      'spec.uninstall.deletionPropagation',
      `${propagation} is not honoured: Sluice deletes a removed release's objects in the background`,
    );
  if (spec.persistentClient !== undefined && spec.persistentClient !== null)
    warn(
      'spec.persistentClient',
      'has no effect in Sluice: the puller applies the rendered release with its own client',
    );
  if (spec.waitStrategy !== undefined && spec.waitStrategy !== null)
    warn(
      'spec.waitStrategy',
      "Helm's wait strategies are not used by Sluice; the puller does its own waiting",
    );
  if (Array.isArray(spec.healthCheckExprs) && spec.healthCheckExprs.length > 0)
    warn('spec.healthCheckExprs', 'CEL health checks are not evaluated by Sluice');
  if (spec.postRenderStrategy === 'nohooks' || spec.postRenderStrategy === 'separate')
    warn(
      'spec.postRenderStrategy',
      `${spec.postRenderStrategy} is not honoured: Sluice post-renders hooks together with the release's objects (Helm 4's combined)`,
    );
  if (Array.isArray(spec.dependsOn))
    spec.dependsOn.forEach((dep, i) => {
      if (isRecord(dep) && dep.readyExpr !== undefined && dep.readyExpr !== null)
        warn(
          `spec.dependsOn[${i}].readyExpr`,
          "CEL readiness expressions are not evaluated by Sluice; the dependency's Ready is used",
        );
    });
  return warnings;
}

function record(value: unknown): Raw {
  return isRecord(value) ? value : {};
}
