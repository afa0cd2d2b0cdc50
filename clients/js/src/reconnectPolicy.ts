/**
 * When and how often a client retries a connection: the initial connect and every reconnect after a loss.
 * Same defaults and formula as the .NET client (Hubs.Client's ReconnectPolicy): 5 attempts, first delay 1 s,
 * doubling up to 5 s, jitter 0.5.
 */
export interface ReconnectOptions {
  /** Retries before giving up; `Infinity` retries forever. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry, in ms. Default 1000. */
  initialDelayMs?: number;
  /** No delay exceeds this, jitter included, in ms. Default 5000. */
  maxDelayMs?: number;
  /** Growth of the delay from one attempt to the next. Default 2. */
  multiplier?: number;
  /**
   * 0..1: random spread of each delay as a fraction of it (0.5: between half and one and a half times), so many
   * clients that lost the same server do not all come back at the same instant. Default 0.5.
   */
  jitter?: number;
}

export const defaultReconnectOptions: Readonly<Required<ReconnectOptions>> = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: 0.5,
});

/** Exponential backoff with jitter; `delayBeforeAttempt` returns `null` once the attempts are used up. */
export class ReconnectPolicy {
  readonly options: Readonly<Required<ReconnectOptions>>;

  constructor(options: ReconnectOptions = {}, private readonly random: () => number = Math.random) {
    const merged = { ...defaultReconnectOptions, ...withoutUndefined(options) };
    if (!(merged.maxAttempts >= 0)) {
      throw new RangeError("maxAttempts must be 0 or more (Infinity retries forever).");
    }
    if (!(merged.initialDelayMs >= 0) || !(merged.maxDelayMs >= merged.initialDelayMs)) {
      throw new RangeError("initialDelayMs must be 0 or more and maxDelayMs at least initialDelayMs.");
    }
    if (!(merged.multiplier >= 1)) {
      throw new RangeError("multiplier must be 1 or more.");
    }
    if (!(merged.jitter >= 0 && merged.jitter <= 1)) {
      throw new RangeError("jitter must be between 0 and 1.");
    }
    this.options = Object.freeze(merged);
  }

  /** Retries forever with the default delays. */
  static forever(options: Omit<ReconnectOptions, "maxAttempts"> = {}): ReconnectPolicy {
    return new ReconnectPolicy({ ...options, maxAttempts: Infinity });
  }

  /**
   * The delay before retry number `attempt` (1-based), or `null` when the policy gives up. As in the .NET client:
   * retry n waits min(initial · multiplier^(n-1), max), spread by ±jitter, and never more than max.
   */
  delayBeforeAttempt(attempt: number): number | null {
    const { maxAttempts, initialDelayMs, maxDelayMs, multiplier, jitter } = this.options;
    if (attempt > maxAttempts) {
      return null;
    }
    const capped = Math.min(maxDelayMs, initialDelayMs * multiplier ** Math.min(attempt - 1, 64));
    const jittered = capped * (1 + jitter * (2 * this.random() - 1));
    return Math.round(Math.min(Math.max(jittered, 0), maxDelayMs));
  }
}

function withoutUndefined(options: ReconnectOptions): ReconnectOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
