import { CODES, type ErrorCode } from './codes.js';

/** Where in a user's file an error points, so the CLI can print `file:line:col`. */
export interface SourceLocation {
  file: string;
  line?: number;
  col?: number;
}

export interface FesterErrorInit {
  message?: string;
  hint?: string;
  location?: SourceLocation;
  details?: string;
  cause?: unknown;
}

/**
 * A user-facing error with a stable code. The CLI prints these without a stack trace:
 * anything that is a user mistake must be a FesterError, anything else is a bug.
 */
export class FesterError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly location?: SourceLocation;
  readonly details?: string;
  readonly exitCode: number;

  constructor(code: ErrorCode, init: FesterErrorInit = {}) {
    const entry = CODES[code];
    super(init.message ?? entry.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'FesterError';
    this.code = code;
    this.hint = init.hint ?? entry.hint;
    this.location = init.location;
    this.details = init.details;
    this.exitCode = entry.exit;
  }

  /** `file:line:col` or just the file, or undefined. */
  where(): string | undefined {
    const l = this.location;
    if (!l) return undefined;
    if (l.line === undefined) return l.file;
    return l.col === undefined ? `${l.file}:${l.line}` : `${l.file}:${l.line}:${l.col}`;
  }

  /** The text the CLI shows: `error FE0101 project.yaml:3:5: message` + details + hint. */
  format(): string {
    const where = this.where();
    const head = `error ${this.code}${where ? ` ${where}` : ''}: ${this.message}`;
    const parts = [head];
    if (this.details) parts.push(this.details.replace(/^/gm, '  '));
    if (this.hint) parts.push(`  hint: ${this.hint}`);
    return parts.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, location: this.location, details: this.details };
  }
}

export function isFesterError(e: unknown): e is FesterError {
  return e instanceof FesterError;
}
