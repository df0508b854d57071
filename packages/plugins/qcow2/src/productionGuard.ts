import type { Build } from '@fester/core';
import type { RollbackTestResult } from './NodeRecord.js';

/** A production build: the request says so, else the festerconfig's `production`. */
export function isProduction(build: Build): boolean {
  return build.request.production ?? build.compiler.config.production ?? false;
}

/**
 * Why a VM node may not take production work, or undefined if it may. The reason starts with
 * its error code so the `action.scheduled` decision in the journal is greppable and stable.
 */
export function productionBlock(test: RollbackTestResult | undefined, maxAgeHours: number, now = Date.now()): string | undefined {
  if (!test) return 'FE0909 qcow2 rollback test never run';
  const when = new Date(test.at).toISOString();
  if (!test.ok) return `FE0908 qcow2 rollback test failed ${when}: ${test.message}`;
  const ageH = (now - test.at) / 3_600_000;
  if (ageH > maxAgeHours) return `FE0909 qcow2 rollback test too old: passed ${when}, limit ${maxAgeHours} h`;
  return undefined;
}
