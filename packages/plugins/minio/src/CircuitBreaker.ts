/**
 * One per endpoint. After `threshold` consecutive failures the circuit opens and requests
 * are skipped at once (a dead endpoint must not cost every action a timeout); after
 * `cooldownMs` one trial request is let through (half-open): success closes it, failure
 * opens it again.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  state: BreakerState = 'closed';
  /** Left out for good (wrong credentials, missing bucket). */
  disabled = false;
  /** Why it last opened, for warnings. */
  lastError = '';

  constructor(private readonly threshold: number, private readonly cooldownMs: number, private readonly now: () => number = Date.now) {}

  /** May a request go out now? Marks the half-open trial as taken. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && this.now() - this.openedAt >= this.cooldownMs) this.state = 'half-open';
    if (this.state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.state = 'closed';
  }

  /** Returns true when this failure opened the circuit (callers warn once, not per request). */
  failure(message: string): boolean {
    this.lastError = message;
    this.failures++;
    const wasOpen = this.state === 'open';
    if (this.state === 'half-open' || this.failures >= this.threshold) {
      this.trialInFlight = false;
      this.state = 'open';
      this.openedAt = this.now();
      return !wasOpen;
    }
    return false;
  }

  /** Open now (a failed start-up probe): the next trial comes after the cooldown. */
  trip(message: string): void {
    this.lastError = message;
    this.state = 'open';
    this.openedAt = this.now();
  }

  /** Open now and for good (wrong credentials, missing bucket): no trial will be made. */
  disable(message: string): void {
    this.disabled = true;
    this.lastError = message;
    this.state = 'open';
    this.openedAt = Infinity;
  }
}
