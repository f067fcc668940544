// Lambda: the EventBridge cron (every minute). Enqueues fetches for sources whose interval elapsed, and
// keeps the fleet and cluster registrations in step with the configuration.
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { registerFleet } from '../shared/usecases/register-fleet.ts';
import { scheduleSources } from '../shared/usecases/schedule-sources.ts';
import { coldStartDeps, type WithDeps } from './middleware/cold-start-deps.ts';

export function createScheduleHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  let registered = false;
  return middy<
    EventBridgeEvent<'Scheduled Event', unknown>,
    { due: number },
    Error,
    WithDeps<CloudDeps> & Context
  >()
    .use(coldStartDeps<CloudDeps, EventBridgeEvent<'Scheduled Event', unknown>, { due: number }>(factory))
    .handler(async (_event, context) => {
      const { pipeline, config } = context.deps;
      if (!registered) {
        await registerFleet(pipeline, config.fleet);
        registered = true;
      }
      return { due: (await scheduleSources(pipeline)).length };
    });
}

export const handler = createScheduleHandler(() => createCloudDeps(loadCloudConfig()));
