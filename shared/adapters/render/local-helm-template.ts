// HelmTemplate over the bundled helm and kustomize, both confined (see helm-template.ts).
import type { HelmTemplate, HelmTemplateInput, HelmTemplateOutput } from '../../ports/helm-template.ts';
import { type HelmTemplateDeps, locateChart, renderHelmTemplate } from './helm-template.ts';

export class LocalHelmTemplate implements HelmTemplate {
  readonly version: string;
  private readonly deps: HelmTemplateDeps;

  constructor(deps: HelmTemplateDeps) {
    this.deps = deps;
    this.version = deps.helm.version;
  }

  locateChart(snapshotDir: string): Promise<string> {
    return locateChart(snapshotDir);
  }

  template(input: HelmTemplateInput): Promise<HelmTemplateOutput> {
    return renderHelmTemplate(input, this.deps);
  }
}
