/** The person-report metrics the demo summarises. */
export const HEADLINE_METRICS = ["Collaboration hours", "Meeting hours", "Email hours", "After-hours collaboration hours"] as const;

/** Mean of one metric over the rows (person-periods) that carry a number for it. */
export interface MetricMean {
  metric: string;
  mean: number;
  /** Rows with a numeric value. */
  rows: number;
}

/**
 * Running means of numeric columns. Values may be numbers or, as in Microsoft's sample, strings holding
 * numbers; anything else is skipped.
 */
export class MetricMeans {
  private readonly sums = new Map<string, { total: number; rows: number }>();

  constructor(private readonly metrics: readonly string[] = HEADLINE_METRICS) {
    for (const metric of metrics) this.sums.set(metric, { total: 0, rows: 0 });
  }

  add(row: Record<string, unknown>): void {
    for (const metric of this.metrics) {
      const raw = row[metric];
      const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value)) continue;
      const sum = this.sums.get(metric)!;
      sum.total += value;
      sum.rows++;
    }
  }

  results(): MetricMean[] {
    return this.metrics.map((metric) => {
      const { total, rows } = this.sums.get(metric)!;
      return { metric, mean: rows === 0 ? Number.NaN : total / rows, rows };
    });
  }
}
