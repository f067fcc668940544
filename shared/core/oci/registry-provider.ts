// Which login `spec.provider` asks for: generic (the Secret or anonymous), aws (an ECR login, only for ECR
// hosts), and a clear refusal for the providers Sluice does not speak yet.
import { SluiceError } from '../errors.ts';

export type RegistryProvider = { kind: 'generic' } | { kind: 'aws'; region: string };

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`, as Flux recognises ECR hosts. */
const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export function registryProvider(provider: string | undefined, host: string): RegistryProvider {
  const name = provider ?? 'generic';
  if (name === 'generic') return { kind: 'generic' };
  if (name === 'aws') {
    const region = ECR_HOST.exec(host.replace(/:\d+$/, ''))?.[1];
    if (!region) {
      throw new SluiceError(
        'ValidationFailed',
        `spec.provider aws works only for ECR registries (<account>.dkr.ecr.<region>.amazonaws.com), not ${host}; use provider generic with a secretRef`,
        { field: 'spec.provider' },
      );
    }
    return { kind: 'aws', region };
  }
  if (name === 'azure' || name === 'gcp') {
    throw new SluiceError(
      'ValidationFailed',
      `spec.provider ${name} is not supported by Sluice yet; use provider generic with a secretRef`,
      { field: 'spec.provider' },
    );
  }
  throw new SluiceError(
    'ValidationFailed',
    `spec.provider ${JSON.stringify(name)} is not one of generic, aws, azure, gcp`,
    {
      field: 'spec.provider',
    },
  );
}
