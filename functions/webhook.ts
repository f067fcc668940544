// Lambda: push webhooks (Function URL / API Gateway v2). Verifies, enqueues fetches, answers 202; never
// fetches inline.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { handleWebhook } from '../shared/usecases/handle-webhook.ts';
import { coldStartDeps, type WithDeps } from './middleware/cold-start-deps.ts';
import { bodyLimit, httpErrors, json } from './middleware/http-errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export function createWebhookHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, WithDeps<CloudDeps> & Context>()
    .use(httpErrors())
    .use(bodyLimit(MAX_BODY_BYTES))
    .use(coldStartDeps<CloudDeps, APIGatewayProxyEventV2, APIGatewayProxyResultV2>(factory))
    .handler(async (event, context) => {
      const { pipeline, config } = context.deps;
      const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
      const header = event.headers['x-hub-signature-256'] ?? event.headers['x-sluice-signature'];
      const result = await handleWebhook(pipeline, {
        body,
        signature: header,
        secret: config.webhookSecret,
        rollbackSecret: config.rollbackSecret,
      });
      return json(202, { accepted: true, ...result });
    });
}

export const handler = createWebhookHandler(() => createCloudDeps(loadCloudConfig()));
