// The nested parts of a HelmRelease spec besides its Helm actions, each checked against helm-controller's v2
// CRD (enums, patterns, required fields, Flux's defaults): values, dependencies, post-renderers, drift.
import { ruleProblem } from '../core/apply/drift-ignore.ts';
import { dropUndefined, optional } from './decode-git-repository.ts';
import { decodeImage, decodePatch } from './decode-kustomization.ts';
import type { FieldReader } from './field-reader.ts';
import {
  DRIFT_DETECTION_FIELDS,
  DRIFT_IGNORE_RULE_FIELDS,
  HEALTH_CHECK_EXPR_FIELDS,
  HELM_RELEASE_DEPENDS_ON_FIELDS,
  PATCH_TARGET_FIELDS,
  POST_RENDERER_FIELDS,
  POST_RENDERER_KUSTOMIZE_FIELDS,
  VALUES_REFERENCE_FIELDS,
  WAIT_STRATEGY_FIELDS,
} from './flux-fields.ts';
import type { DriftIgnoreRule, HelmRelease, ValuesReference } from './helm-release.ts';
import type { PatchSelector } from './kustomization.ts';

type Raw = Record<string, unknown>;
type Spec = HelmRelease['spec'];

const VALUES_KEY = /^[-._a-zA-Z0-9]+$/;
const TARGET_PATH = /^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/;
/** An RFC 6901 JSON pointer: empty (the whole object) or `/`-separated tokens where `~` escapes only 0 and 1. */
const JSON_POINTER = /^(\/([^~/]|~[01])*)*$/;

export function integer(
  r: FieldReader,
  parent: Raw | undefined,
  key: string,
  path: string,
): number | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  r.fail(path, `expected an integer, got ${JSON.stringify(value)}`);
  return undefined;
}

export function decodeValuesFrom(r: FieldReader, spec: Raw | undefined): ValuesReference[] {
  return (
    r.objects(spec, 'valuesFrom', 'spec.valuesFrom', (item, path) => {
      r.knownFields(item, path, VALUES_REFERENCE_FIELDS);
      const kind = r.string(item, 'kind', `${path}.kind`, { required: true, oneOf: ['ConfigMap', 'Secret'] });
      const targetPath = r.string(item, 'targetPath', `${path}.targetPath`, {
        maxLength: 250,
        pattern: TARGET_PATH,
        patternHint: "a Helm --set path such as 'a.b', 'a\\.b' or 'a[0].b'",
      });
      const literal = r.boolean(item, 'literal', `${path}.literal`);
      return {
        kind: kind === 'Secret' ? 'Secret' : 'ConfigMap',
        name: r.string(item, 'name', `${path}.name`, { required: true, maxLength: 253 }) ?? '',
        // Flux's GetValuesKey: an empty key is the default too.
        valuesKey:
          r.string(item, 'valuesKey', `${path}.valuesKey`, {
            maxLength: 253,
            pattern: VALUES_KEY,
            patternHint: 'a data key of letters, digits, "-", "_" and "."',
          }) || 'values.yaml',
        ...(targetPath ? { targetPath } : {}),
        optional: r.boolean(item, 'optional', `${path}.optional`) ?? false,
        ...(literal ? { literal } : {}),
      };
    }) ?? []
  );
}

export function decodeDependsOn(r: FieldReader, spec: Raw | undefined): Spec['dependsOn'] {
  return (
    r.objects(spec, 'dependsOn', 'spec.dependsOn', (item, path) => {
      r.knownFields(item, path, HELM_RELEASE_DEPENDS_ON_FIELDS);
      r.string(item, 'readyExpr', `${path}.readyExpr`);
      const kind = r.string(item, 'kind', `${path}.kind`, { oneOf: ['HelmRelease', 'Kustomization'] });
      return dropUndefined({
        name: r.string(item, 'name', `${path}.name`, { required: true }) ?? '',
        namespace: r.string(item, 'namespace', `${path}.namespace`) || undefined,
        kind: kind === 'HelmRelease' || kind === 'Kustomization' ? kind : undefined,
      });
    }) ?? []
  );
}

/** waitStrategy, healthCheckExprs, postRenderStrategy, persistentClient: validated, then only warned about. */
export function validateAcceptedOnly(r: FieldReader, spec: Raw | undefined): void {
  const wait = r.object(spec, 'waitStrategy', 'spec.waitStrategy');
  r.knownFields(wait, 'spec.waitStrategy', WAIT_STRATEGY_FIELDS);
  if (wait) r.string(wait, 'name', 'spec.waitStrategy.name', { required: true, oneOf: ['poller', 'legacy'] });
  r.objects(spec, 'healthCheckExprs', 'spec.healthCheckExprs', (item, path) => {
    r.knownFields(item, path, HEALTH_CHECK_EXPR_FIELDS);
    r.string(item, 'apiVersion', `${path}.apiVersion`, { required: true });
    r.string(item, 'current', `${path}.current`, { required: true });
    for (const key of ['kind', 'inProgress', 'failed']) r.string(item, key, `${path}.${key}`);
  });
  r.string(spec, 'postRenderStrategy', 'spec.postRenderStrategy', {
    oneOf: ['nohooks', 'combined', 'separate'],
  });
  r.boolean(spec, 'persistentClient', 'spec.persistentClient');
}

/** postRenderers: only kustomize `patches` and `images` exist in v2; an entry without kustomize is a no-op. */
export function decodePostRenderers(r: FieldReader, spec: Raw | undefined): Spec['postRenderers'] {
  return (
    r.objects(spec, 'postRenderers', 'spec.postRenderers', (item, path) => {
      r.knownFields(item, path, POST_RENDERER_FIELDS);
      const kustomize = r.object(item, 'kustomize', `${path}.kustomize`);
      const at = `${path}.kustomize`;
      r.knownFields(kustomize, at, POST_RENDERER_KUSTOMIZE_FIELDS);
      return {
        patches: r.objects(kustomize, 'patches', `${at}.patches`, (p, pp) => decodePatch(r, p, pp)) ?? [],
        images: r.objects(kustomize, 'images', `${at}.images`, (i, ip) => decodeImage(r, i, ip)) ?? [],
      };
    }) ?? []
  );
}

/** driftDetection: mode defaults to disabled; each ignore rule's paths must be JSON pointers. */
export function decodeDriftDetection(r: FieldReader, spec: Raw | undefined): Spec['driftDetection'] {
  const raw = r.object(spec, 'driftDetection', 'spec.driftDetection');
  r.knownFields(raw, 'spec.driftDetection', DRIFT_DETECTION_FIELDS);
  const mode = r.string(raw, 'mode', 'spec.driftDetection.mode', { oneOf: ['enabled', 'warn', 'disabled'] });
  const ignore =
    r.objects(raw, 'ignore', 'spec.driftDetection.ignore', (item, path): DriftIgnoreRule => {
      r.knownFields(item, path, DRIFT_IGNORE_RULE_FIELDS);
      if (item.paths === undefined || item.paths === null) r.fail(`${path}.paths`, 'is required');
      const paths = r.strings(item, 'paths', `${path}.paths`) ?? [];
      paths.forEach((pointer, i) => {
        if (!JSON_POINTER.test(pointer))
          r.fail(
            `${path}.paths[${i}]`,
            `expected a JSON pointer (RFC 6901) such as "/spec/replicas" (with "~1" for "/" and "~0" for "~" inside a key), got ${JSON.stringify(pointer)}`,
          );
      });
      const target = r.object(item, 'target', `${path}.target`);
      r.knownFields(target, `${path}.target`, PATCH_TARGET_FIELDS);
      const selector =
        target &&
        (dropUndefined(
          Object.fromEntries(
            PATCH_TARGET_FIELDS.map((key) => [key, r.string(target, key, `${path}.target.${key}`)]),
          ),
        ) as PatchSelector);
      // The target's regular expressions and selectors are checked here, not first by the puller.
      const problem = selector && ruleProblem({ paths: ['/'], target: selector });
      if (problem) r.fail(`${path}.${problem.field}`, problem.problem);
      return { paths, ...optional('target', selector) };
    }) ?? [];
  return { mode: mode === 'enabled' || mode === 'warn' ? mode : 'disabled', ignore };
}
