import { JsonReporter } from './JsonReporter.js';
import { PlainReporter } from './PlainReporter.js';
import type { Reporter, ReporterOptions } from './Reporter.js';

/** --json → JSON lines; a TTY → the Ink dashboard (loaded only then); otherwise plain lines. */
export async function pickReporter(o: ReporterOptions): Promise<Reporter> {
  if (o.json) return new JsonReporter(o);
  const tty = (o.stdout as { isTTY?: boolean }).isTTY === true && !process.env.CI && process.env.TERM !== 'dumb';
  if (tty) {
    const { InkReporter } = await import('./InkReporter.js');
    return new InkReporter(o);
  }
  return new PlainReporter(o);
}
