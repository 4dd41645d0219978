// Load generation against 127.0.0.1 only, bounded in time: autocannon as a library.
import autocannon from 'autocannon';

export interface LoadResult {
  /** Completed requests per second. */
  rps: number;
  p50: number;
  p99: number;
  total: number;
  /** Responses whose status was not the expected one. */
  unexpected: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The status every response must have (a redirect after a form post, 200 for a page). */
  expect: number;
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(o.url)) throw new Error(`load only runs against 127.0.0.1: ${o.url}`);
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    method: o.method ?? 'GET',
    headers: o.headers,
    body: o.body,
  });
  const byStatus = result.statusCodeStats as Record<string, { count: number }>;
  const expected = byStatus[String(o.expect)]?.count ?? 0;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    unexpected: result.requests.total - expected + result.errors + result.timeouts,
  };
}

/** Percentiles of a list of samples (milliseconds). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
