// The few parts of autocannon 9 the benchmarks use (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Worker threads generating the load (the load then never shares the caller's event loop). */
    workers?: number;
    headers?: Record<string, string>;
  }

  interface Stats {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }

  interface Result {
    requests: Stats;
    /** Milliseconds. */
    latency: Stats;
    throughput: Stats;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  }

  /** Runs the load; the result settles when it is done. */
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
