/**
 * SIGINT/SIGTERM abort the build: running commands are killed, their partial outputs removed,
 * the journal completed. A second signal exits at once.
 */
export function abortOnSignals(onSecond: () => void): { signal: AbortSignal; dispose(): void; received(): NodeJS.Signals | undefined } {
  const ctl = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (got) { onSecond(); process.exit(130); }
    got = sig;
    ctl.abort(new Error(`received ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctl.signal,
    received: () => got,
    dispose() { process.off('SIGINT', handler); process.off('SIGTERM', handler); },
  };
}
