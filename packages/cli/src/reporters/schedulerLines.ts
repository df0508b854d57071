import type { FesterEvent } from '@fester/core';

/**
 * The scheduler's and thermal plugin's events as report lines. A build waiting for a hot node
 * would otherwise look hung; a garbage sensor is worth a word. "No usable reading" (FE1012) is
 * left to the journal: every VM and container says it.
 */
export function schedulerLine(ev: FesterEvent): string | undefined {
  switch (ev.type) {
    case 'node.throttled': {
      const t = ev.celsius === undefined ? '' : ` at ${ev.celsius.toFixed(1)} °C${ev.sensor ? ` (${ev.sensor})` : ''}`;
      if (ev.rule === 'max') return `thermal: ${ev.node}${t} ≥ max ${ev.maxCelsius} °C: no new work until below ${ev.releaseCelsius} °C`;
      if (ev.rule === 'near') return `thermal: ${ev.node}${t} is near its max ${ev.maxCelsius} °C: at most ${ev.slots} action${ev.slots === 1 ? '' : 's'} at once`;
      return `thermal: ${ev.node} loaded (load ${ev.load} over ${ev.cores} cores for ${Math.round((ev.windowMs ?? 0) / 1000)} s): no parallel: high actions there`;
    }
    case 'node.unthrottled':
      if (ev.rule === 'sustained-load') return `thermal: ${ev.node} load ${ev.load}: parallel: high actions allowed again`;
      return `thermal: ${ev.node}${ev.celsius === undefined ? '' : ` at ${ev.celsius.toFixed(1)} °C`}: ${ev.rule === 'max' ? 'takes new work again' : 'all slots again'}`;
    case 'thermal.warning':
      return ev.code === 'FE1012' ? undefined : `warning ${ev.code}: ${ev.message}`;
    case 'scheduler.warning':
      return `warning ${ev.code}: ${ev.message}`;
    default:
      return undefined;
  }
}
