// A queue carries one kind of job; a job of another kind on it was misrouted and never becomes right on
// a retry, so it is an InvalidJob (dead-lettered at once) in Lambda and embedded mode alike.
import { SluiceError } from '../errors.ts';
import type { Job } from './jobs.ts';

export function jobOfKind<K extends Job['kind']>(job: Job, kind: K): Extract<Job, { kind: K }> {
  if (job.kind !== kind)
    throw new SluiceError('InvalidJob', `this queue carries ${kind} jobs, got a ${job.kind} job`);
  return job as Extract<Job, { kind: K }>;
}
