import { isAbsolute, relative } from 'node:path';
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
  /** Ids of the actions the error is about, so callers can point into the project file. */
  subjects?: string[];
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
  readonly subjects: readonly string[];

  constructor(code: ErrorCode, init: FesterErrorInit = {}) {
    const entry = CODES[code];
    super(init.message ?? entry.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'FesterError';
    this.code = code;
    this.hint = init.hint ?? entry.hint;
    this.location = init.location;
    this.details = init.details;
    this.exitCode = entry.exit;
    this.subjects = init.subjects ?? [];
    Object.defineProperty(this, FESTER_ERROR, { value: true });
  }

  /** `file:line:col` or just the file, or undefined. */
  where(): string | undefined {
    const l = this.location;
    if (!l) return undefined;
    // Paths are shown relative to where the user stands, as compilers do.
    const rel = isAbsolute(l.file) ? relative(process.cwd(), l.file) : l.file;
    const file = rel && !rel.startsWith('..') ? rel : l.file;
    if (l.line === undefined) return file;
    return l.col === undefined ? `${file}:${l.line}` : `${file}:${l.line}:${l.col}`;
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

  /** The same error pointing at a place in a file. */
  at(location: SourceLocation): FesterError {
    return new FesterError(this.code, { message: this.message, hint: this.hint, details: this.details, subjects: [...this.subjects], location, cause: this.cause });
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, location: this.location, details: this.details };
  }
}

/**
 * Branded with a global symbol rather than checked with instanceof: a plugin may load its own
 * copy of @fester/core (another version, or the CLI's bundle beside node_modules), and its
 * coded errors must still be recognised as such.
 */
export const FESTER_ERROR = Symbol.for('fester.error');

export function isFesterError(e: unknown): e is FesterError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[FESTER_ERROR] === true;
}
