/** Small statistics helpers: medians of rounds, percentiles of latency samples. */

export function median(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Latency samples in ms, kept in a growable Float64Array (bounded by `max` samples). */
export class Samples {
  constructor(max = 5_000_000) {
    this.max = max;
    this.values = new Float64Array(1024);
    this.length = 0;
    this.dropped = 0;
  }

  push(v) {
    if (this.length === this.values.length) {
      if (this.length >= this.max) {
        this.dropped++;
        return;
      }
      const bigger = new Float64Array(Math.min(this.max, this.values.length * 2));
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = v;
  }

  /** { count, mean, p50, p90, p99, max } in ms, nearest-rank percentiles. */
  summary() {
    const n = this.length;
    if (n === 0) return { count: 0 };
    const sorted = this.values.slice(0, n).sort();
    const at = (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i];
    return { count: n, mean: sum / n, p50: at(50), p90: at(90), p99: at(99), max: sorted[n - 1] };
  }
}

export function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : undefined;
}
