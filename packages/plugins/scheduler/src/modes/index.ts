import { didYouMean, FesterError } from '@fester/core';
import { MODE_NAMES, type ModeName } from './types.js';

export { MODE_NAMES, type ModeName, type SchedulingMode, type DecisionContext } from './types.js';
export { unifiedMode } from './unified.js';
export { thermalMode } from './thermal.js';
export { cacheFirstMode } from './cacheFirst.js';
export { targetIsolatedMode, POOL_LABEL } from './targetIsolated.js';
export { intelligenceMode, BUSY_REASON } from './intelligence.js';

/** A mode name from festerconfig, `--mode` or a plugin option; anything else is FE1001. */
export function checkMode(name: string, where: string): ModeName {
  if ((MODE_NAMES as readonly string[]).includes(name)) return name as ModeName;
  const near = didYouMean(name, MODE_NAMES);
  throw new FesterError('FE1001', {
    message: `unknown scheduler mode "${name}" (${where})${near ? `; did you mean "${near}"?` : ''}`,
    hint: `use one of: ${MODE_NAMES.join(', ')}`,
  });
}
