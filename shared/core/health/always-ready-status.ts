// kstatus' kinds with nothing to wait for: ConfigMaps, Secrets and CronJobs, and PodDisruptionBudgets,
// whose only signal (an observed generation) the generic rules have already checked.
import { current, type HealthResult } from './health-result.ts';

export const alwaysReady = (): HealthResult => current('Resource is always ready');

export const podDisruptionBudgetStatus = (): HealthResult => current('AllowedDisruptions has been computed.');
