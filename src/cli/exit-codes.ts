/** The exit codes `vtg` promises (documented in the main help epilogue). */
export const EXIT = {
  /** The work was done. */
  ok: 0,
  /** A `--fail-on` threshold was met. */
  failOn: 1,
  /** Usage, input or configuration error. */
  usage: 2,
  /** Upstream, authentication, quota or other runtime failure. */
  failure: 3,
  /** Interrupted by Ctrl-C (SIGINT) after a clean stop. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The worst of several outcomes: failure > usage > fail-on > ok (interrupted wins over all). */
export function worstExit(...codes: number[]): number {
  const rank = (c: number) => (c === EXIT.interrupted ? 4 : c === EXIT.failure ? 3 : c === EXIT.usage ? 2 : c === EXIT.failOn ? 1 : 0);
  return codes.reduce((a, b) => (rank(b) > rank(a) ? b : a), EXIT.ok);
}
