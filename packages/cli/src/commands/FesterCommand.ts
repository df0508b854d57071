import { Command, Option } from 'clipanion';
import { isFesterError, type FesterError } from '@fester/core';

/**
 * Base of every command: shared options and the one place that turns errors into output.
 * A FesterError is a user-facing problem (no stack unless --verbose); anything else is a bug.
 */
export abstract class FesterCommand extends Command {
  verbose = Option.Boolean('--verbose', false, { description: 'Show stack traces and debug details' });

  abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (e) {
      return this.report(e);
    }
  }

  protected report(e: unknown): number {
    if (isFesterError(e)) {
      this.context.stderr.write(`${e.format()}\n`);
      if (this.verbose) this.context.stderr.write(`${stackOf(e)}\n`);
      return e.exitCode;
    }
    this.context.stderr.write(`error FE0001: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    this.context.stderr.write(`${e instanceof Error ? e.stack : ''}\n  hint: this is a bug in Fester; please report it with the output above\n`);
    return 70;
  }
}

function stackOf(e: FesterError): string {
  const cause = (e as { cause?: unknown }).cause;
  return [e.stack, cause instanceof Error ? `caused by: ${cause.stack}` : ''].filter(Boolean).join('\n');
}
