import type { ServerResponse } from 'node:http';
import { FesterError, isFesterError } from '../errors/FesterError.js';
import type { ErrorCode } from '../errors/codes.js';
import { sendJson } from '../http/HttpRoutes.js';

/** HTTP status of the coded errors the API answers with; any other FesterError is a 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  FE1101: 404,
  FE1102: 404,
  FE1103: 404,
  FE1104: 400,
  FE1105: 404,
  FE0111: 404,
  FE0701: 404,
};

/** Answer `{ code, message, hint }` with the status the code maps to. */
export function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) { res.end(); return; }
  if (isFesterError(e)) {
    sendJson(res, STATUS[e.code] ?? 500, { code: e.code, message: e.message, hint: e.hint });
    return;
  }
  sendJson(res, 500, { code: 'FE0001', message: e instanceof Error ? e.message : String(e), hint: 'this is a bug in Fester; please report it' });
}

export function notFound(code: 'FE1101' | 'FE1102' | 'FE1103' | 'FE1105', message: string): FesterError {
  return new FesterError(code, { message });
}

/**
 * An integer query parameter, or `fallback` when absent. Anything that is not a whole number in
 * range is a 400 (FE1104): a typo must not silently mean "everything".
 */
export function queryInt(url: URL, name: string, opts: { min?: number; max?: number; fallback?: number } = {}): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return opts.fallback;
  if (!/^-?\d+$/.test(raw)) throw badParam(name, raw, 'a whole number');
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw badParam(name, raw, `a whole number${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}${opts.max !== undefined ? ` ≤ ${opts.max}` : ''}`);
  }
  return n;
}

/** A parameter restricted to a set of words (`status=failed`). */
export function queryEnum<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw badParam(name, raw, `one of ${allowed.join(', ')}`);
  return raw as T;
}

/** A boolean flag: absent, `1`/`true` or `0`/`false`. */
export function queryBool(url: URL, name: string): boolean {
  const raw = url.searchParams.get(name);
  if (raw === null) return false;
  if (raw === '' || raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw badParam(name, raw, '1, true, 0 or false');
}

/** Parameters an endpoint does not know are errors too: `?form=3` instead of `?from=3`. */
export function onlyParams(url: URL, known: readonly string[]): void {
  for (const name of url.searchParams.keys()) {
    if (!known.includes(name)) throw new FesterError('FE1104', { message: `unknown query parameter "${name}"`, hint: known.length ? `this endpoint takes: ${known.join(', ')}` : 'this endpoint takes no query parameters' });
  }
}

function badParam(name: string, raw: string, expected: string): FesterError {
  return new FesterError('FE1104', { message: `query parameter ${name}=${JSON.stringify(raw)} is not ${expected}` });
}
