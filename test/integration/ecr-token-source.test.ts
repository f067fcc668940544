// ECR logins refused or failing, through the real AWS SDK against a local GetAuthorizationToken endpoint:
// a refusal is the deployment's IAM, so the error names the permission and the sluice.config.ts setting.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrTokenSource } from '../../shared/adapters/aws/ecr-token-source.ts';
import { rejectionOf } from '../support/error-of.ts';

const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An ECR endpoint that answers every call with one awsJson1_1 error, as ECR does. */
async function ecrAnswering(status: number, type: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
      res.end(
        JSON.stringify({ __type: type, message: 'not authorized to perform ecr:GetAuthorizationToken' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const sourceAt = (endpoint: string) =>
  new EcrTokenSource({
    clientFor: (region) =>
      new ECRClient({
        region,
        endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
  });

describe('EcrTokenSource', () => {
  it('names the permission and the ecrRepositories setting when the role may not log in', async () => {
    const err = await rejectionOf(
      sourceAt(await ecrAnswering(400, 'AccessDeniedException')).loginFor(host, 'eu-west-1'),
    );
    expect(err.code).toBe('SourceAuthFailed');
    expect(err.retryable).toBe(false);
    // The message is the point: it says what to add to the deployment.
    expect(err.message).toContain('ecr:GetAuthorizationToken');
    expect(err.message).toContain('ecrRepositories in sluice.config.ts');
  });

  it('retries an ECR outage', async () => {
    const err = await rejectionOf(
      sourceAt(await ecrAnswering(500, 'ServerException')).loginFor(host, 'eu-west-1'),
    );
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.retryable).toBe(true);
  });
});
