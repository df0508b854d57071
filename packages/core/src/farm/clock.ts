/**
 * NTP-style clock offset from heartbeat round trips. t0: agent sends, t1: coordinator
 * receives, t2: coordinator answers, t3: agent receives (t0, t3 on the agent's clock).
 * offset = agent − coordinator ≈ ((t0 − t1) + (t3 − t2)) / 2, with error bounded by half the
 * round trip. Of the recent samples, the one with the shortest round trip is the most
 * trustworthy (queueing delay only ever adds), as ntpd's clock filter does.
 */
export interface ClockSample {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

const WINDOW = 8;

export class ClockEstimator {
  private readonly samples: { offset: number; rtt: number }[] = [];

  add(s: ClockSample): void {
    const rtt = (s.t3 - s.t0) - (s.t2 - s.t1);
    // A negative round trip means the sample is nonsense (clock stepped mid-exchange).
    if (!Number.isFinite(rtt) || rtt < 0) return;
    this.samples.push({ offset: ((s.t0 - s.t1) + (s.t3 - s.t2)) / 2, rtt });
    if (this.samples.length > WINDOW) this.samples.shift();
  }

  /** Best current estimate in ms (agent minus coordinator), or undefined before any sample. */
  get offsetMs(): number | undefined {
    let best: { offset: number; rtt: number } | undefined;
    for (const s of this.samples) if (!best || s.rtt < best.rtt) best = s;
    return best === undefined ? undefined : Math.round(best.offset);
  }

  get sampleCount(): number {
    return this.samples.length;
  }
}
