// ConfigMaps and Secrets from the fleet that postBuild.substituteFrom and secretRef point at.
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export interface ConfigData {
  kind: 'ConfigMap' | 'Secret';
  metadata: ObjectMeta;
  /** Decoded values: ConfigMap `.data`, Secret `.data` (base64-decoded) merged with `.stringData`. */
  data: Record<string, string>;
  source: SourceLocation;
}
