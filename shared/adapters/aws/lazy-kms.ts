// KMS for the puller, loaded on first use. The puller needs KMS only to open sealed Secrets (and, when no
// public key is configured, once at start for it); the KMS client and its command models are about 1.6 MiB
// of memory for the life of the process, so a cluster that never receives a Secret never loads them.
import type { WrappedKey } from '../../core/secrets/wrapped-key.ts';
import type { DataKeyUnwrapper } from '../../ports/data-keys.ts';
import { type AwsClientOptions, clientSettings } from './store-clients.ts';

export class LazyKmsDataKeys implements DataKeyUnwrapper {
  private readonly opts: AwsClientOptions;
  private readonly caller: string;
  private loaded: Promise<DataKeyUnwrapper> | undefined;

  constructor(opts: AwsClientOptions, caller: string) {
    this.opts = opts;
    this.caller = caller;
  }

  async unwrap(cluster: string, wrapped: WrappedKey): Promise<Uint8Array> {
    // A load that failed is tried again by the next Secret rather than remembered.
    this.loaded ??= this.load().catch((err: unknown) => {
      this.loaded = undefined;
      throw err;
    });
    return (await this.loaded).unwrap(cluster, wrapped);
  }

  private async load(): Promise<DataKeyUnwrapper> {
    const [{ KMSClient }, { KmsDataKeys }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('./kms-data-keys.ts'),
    ]);
    return new KmsDataKeys(new KMSClient(clientSettings(this.opts, 'kms')), { caller: this.caller });
  }
}

/** The signing key's public half, read once from KMS (kms:GetPublicKey) by a client made for it alone. */
export async function publicKeyFromKms(opts: AwsClientOptions, signingKeyArn: string): Promise<string> {
  const [{ KMSClient }, { KmsKeyService }] = await Promise.all([
    import('@aws-sdk/client-kms'),
    import('./kms-key-service.ts'),
  ]);
  const client = new KMSClient(clientSettings(opts, 'kms'));
  try {
    return await new KmsKeyService(client, signingKeyArn).publicKeyPem();
  } finally {
    client.destroy();
  }
}
