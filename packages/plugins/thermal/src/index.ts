import { availableParallelism, loadavg } from 'node:os';
import type { Build, Candidate, EventPayload, FesterPlugin } from '@fester/core';
import { NAME, resolveOptions, type ThermalOptions } from './options.js';
import { readSysfsTemps, type SysfsScan } from './sysfs.js';
import { ThermalGuard } from './ThermalGuard.js';
import { isParallelHigh, publishThermalView, type ThermalReading, type ThermalView } from './view.js';

/** After the core's eligibility filters (−100), before every scheduler mode's scorers (100). */
export const THERMAL_STAGE = 50;

/**
 * Thermal safety on the `schedule` hook. A node at or above its max temperature gets no new
 * dispatch; near it, fewer slots; under sustained load, no `parallel: high` actions. Readings
 * are the agents' (node.temps) or, for the local node, this process's own sysfs scan. Every
 * throttle and release is journaled with the reading; an unusable reading counts as not hot
 * and is flagged with a coded `thermal.warning`.
 */
export default function thermal(options: ThermalOptions = {}): FesterPlugin {
  const opts = resolveOptions(options);
  return {
    name: NAME,
    apply(compiler) {
      const now = opts.clock ?? Date.now;
      let current: Build | undefined;
      const emit = (p: EventPayload, causes?: number[]) => (current ? current.emit(p, causes) : compiler.emit(p, causes)).seq;
      let scan: { at: number; result: SysfsScan } | undefined;
      const localReadings = () => {
        const t = now();
        if (!scan || t - scan.at >= opts.pollMs) scan = { at: t, result: readSysfsTemps(opts.sysfsRoot) };
        return scan.result;
      };
      const guard = new ThermalGuard(opts, {
        now,
        emit,
        readings(node) {
          if (node.id !== opts.localNode || node.temps?.length) return { readings: node.temps ?? [] };
          const r = localReadings();
          return { readings: r.readings, problems: r.problems, ...(r.rootMissing ? { rootMissing: opts.sysfsRoot } : {}) };
        },
        load(node) {
          if (node.load !== undefined) return { load: node.load, cores: node.cores ?? node.slots };
          if (node.id !== opts.localNode) return {};
          return { load: opts.localLoad ? opts.localLoad() : loadavg()[0], cores: node.cores ?? availableParallelism() };
        },
      });
      const view: ThermalView = {
        maxCelsius: (id) => guard.limits(id).maxCelsius,
        reading(node) {
          const s = guard.observe(node);
          // Plain assignments, no object spread: this runs for every candidate of every decision.
          const r: ThermalReading = { trendPerMin: s.trendPerMin, state: s.state, sustained: s.sustained };
          if (s.celsius !== undefined) { r.celsius = s.celsius; if (s.sensor) r.sensor = s.sensor; }
          return r;
        },
      };
      publishThermalView(compiler, view);

      compiler.hooks.build.tap(NAME, (build) => {
        current = build;
        const running = trackRunning(build);
        build.hooks.schedule.tap({ name: NAME, stage: THERMAL_STAGE }, (candidates, action) => {
          const high = isParallelHigh(action);
          for (const c of candidates) {
            // Filtered nodes are observed too: their throttle story must be in the journal when they return.
            const s = guard.observe(c.node);
            if (c.filtered) continue;
            const why = reason(c, s, high, Math.max(running.get(c.node.id) ?? 0, compiler.running.get(c.node.id) ?? 0, c.node.running ?? 0), () => guard.nearSlots(c.node, s));
            // Temporary: the runner asks again after a poll instead of failing the action.
            if (why) { c.filtered = why; c.waitMs = Math.max(250, opts.pollMs); }
          }
          return candidates;
        });
      });
      compiler.hooks.afterBuild.tapPromise(NAME, async (build) => { if (current === build) current = undefined; });
    },
  };
}

function reason(c: Candidate, s: ReturnType<ThermalGuard['observe']>, high: boolean, running: number, nearSlots: () => number): string | undefined {
  // Most nodes pass: the text is built only for those that do not (1,000-node decisions).
  if (s.state === 'ok' && !(high && s.sustained)) return undefined;
  const t = s.celsius === undefined ? '' : `${s.celsius.toFixed(1)} °C`;
  if (s.state === 'hot') return `thermal: ${t} (${s.sensor}) ≥ max ${s.limits.maxCelsius} °C; waits for < ${s.limits.maxCelsius - s.limits.hysteresis} °C`;
  if (s.state === 'near') {
    const allowed = nearSlots();
    if (running >= allowed) return `thermal: near max (${t}, max ${s.limits.maxCelsius} °C): ${running} of ${allowed} reduced slots busy`;
  }
  if (high && s.sustained) return `thermal: sustained load above ${c.node.cores ?? c.node.slots} cores; no parallel: high actions here`;
  return undefined;
}

/** Actions this build runs per node, from its own events (the core's counters may lag or be absent). */
function trackRunning(build: Build): Map<string, number> {
  const m = new Map<string, number>();
  build.hooks.event.tap(NAME, (ev) => {
    if (ev.type === 'action.started') m.set(ev.node, (m.get(ev.node) ?? 0) + 1);
    else if (ev.type === 'action.finished' && ev.node) m.set(ev.node, Math.max(0, (m.get(ev.node) ?? 0) - 1));
  });
  return m;
}

export { readSysfsTemps, hottest, type SysfsScan, type SensorProblem } from './sysfs.js';
export { ThermalGuard, type NodeThermal, type TempState } from './ThermalGuard.js';
export { THERMAL_VIEW, thermalViewOf, isParallelHigh, type ThermalView, type ThermalReading } from './view.js';
export type { ThermalOptions, NodeLimits } from './options.js';
