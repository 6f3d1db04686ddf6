/**
 * Thrown by a processor when the provider said "not now" (HTTP 429): the worker pauses the whole queue
 * for that long and puts the job back without spending one of its attempts, since the limit belongs to
 * the provider account and not to the job.
 */
export class ProviderRateLimited extends Error {
  constructor(readonly retryAfterMs: number, detail: string) {
    super(`rate limited for ${Math.round(retryAfterMs)} ms: ${detail}`);
    this.name = 'ProviderRateLimited';
  }
}
