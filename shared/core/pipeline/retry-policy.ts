// What happens to a failed job: retry with exponential backoff while the error is retryable and
// attempts remain, otherwise dead-letter it with the reason.

export interface RetryDecision {
  action: 'retry' | 'dead-letter';
  delaySeconds: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 300 };

export function decideRetry(
  retryable: boolean,
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY,
): RetryDecision {
  if (!retryable || attempt >= policy.maxAttempts) return { action: 'dead-letter', delaySeconds: 0 };
  const delay = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (attempt - 1));
  return { action: 'retry', delaySeconds: delay };
}
