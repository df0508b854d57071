import { availableParallelism, loadavg } from 'node:os';
import { endedLoser, isParallelHigh, type Build, type Candidate, type EventPayload, type FesterPlugin } from '@fester/core';
import { NAME, resolveOptions, type ThermalOptions } from './options.js';
import { readSysfsTemps, type SysfsScan } from './sysfs.js';
import { ThermalGuard } from './ThermalGuard.js';
import { publishThermalView, type ThermalReading, type ThermalView } from './view.js';

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
        // The guard's own record, read-only by type: a copy per candidate per decision was most
        // of a 1,000-node decision's garbage.
        reading: (node): Readonly<ThermalReading> => guard.observe(node),
      };
      publishThermalView(compiler, view);

      compiler.hooks.build.tap(NAME, (build) => {
        current = build;
        const running = trackRunning(build);
        build.hooks.schedule.tap({ name: NAME, stage: THERMAL_STAGE }, (candidates, action) => {
          const high = isParallelHigh(action);
          const at = now();
          for (let i = 0; i < candidates.length; i++) {
            const c = candidates[i]!;
            // Filtered nodes are observed too: their throttle story must be in the journal when they return.
            const s = guard.observe(c.node, at);
            if (c.filtered) continue;
            // Most nodes pass: no reason text, no closure, nothing allocated for them.
            if (s.state === 'ok' && !(high && s.sustained)) continue;
            const why = reasonOf(c, s, high, Math.max(running.get(c.node.id) ?? 0, compiler.running.get(c.node.id) ?? 0, c.node.running ?? 0), guard.nearSlots(c.node, s));
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

/** The last reason given per node state and what it was built from. */
interface Said { state: string; celsius: number | undefined; running: number; nearSlots: number; high: boolean; text: string | undefined }
const said = new WeakMap<object, Said>();

/**
 * `reason`, remembered: a hot node is refused with the same words at every decision until its
 * reading or load changes, and building them anew was a 1,000-node decision's garbage.
 */
function reasonOf(c: Candidate, s: ReturnType<ThermalGuard['observe']>, high: boolean, running: number, nearSlots: number): string | undefined {
  const m = said.get(s);
  if (m && m.state === s.state && m.celsius === s.celsius && m.running === running && m.nearSlots === nearSlots && m.high === high) return m.text;
  const text = reason(c, s, high, running, nearSlots);
  if (m) { m.state = s.state; m.celsius = s.celsius; m.running = running; m.nearSlots = nearSlots; m.high = high; m.text = text; }
  else said.set(s, { state: s.state, celsius: s.celsius, running, nearSlots, high, text });
  return text;
}

function reason(c: Candidate, s: ReturnType<ThermalGuard['observe']>, high: boolean, running: number, nearSlots: number): string | undefined {
  const t = s.celsius === undefined ? '' : `${s.celsius.toFixed(1)} °C`;
  if (s.state === 'hot') return `thermal: ${t} (${s.sensor}) ≥ max ${s.limits.maxCelsius} °C; waits for < ${s.limits.maxCelsius - s.limits.hysteresis} °C`;
  if (s.state === 'near') {
    if (running >= nearSlots) return `thermal: near max (${t}, max ${s.limits.maxCelsius} °C): ${running} of ${nearSlots} reduced slots busy`;
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
    // The losing copy of a speculated action ends with speculation.settled, not with an action.finished.
    else { const gone = endedLoser(ev); if (gone) m.set(gone.node, Math.max(0, (m.get(gone.node) ?? 0) - 1)); }
  });
  return m;
}

export { readSysfsTemps, hottest, type SysfsScan, type SensorProblem } from './sysfs.js';
export { ThermalGuard, type NodeThermal, type TempState } from './ThermalGuard.js';
export { THERMAL_VIEW, thermalViewOf, isParallelHigh, type ThermalView, type ThermalReading } from './view.js';
export type { ThermalOptions, NodeLimits } from './options.js';
