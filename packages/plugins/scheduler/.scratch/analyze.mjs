import { simulate, generateTrace, generateFarm, parseTrace, parseFarm } from '@fester/plugin-scheduler/sim';
import thermal from '@fester/plugin-thermal';
const trace = parseTrace(generateTrace('mixed', { actions: 10000, seed: 1, scale: 4 }));
const farm = parseFarm(generateFarm({ nodes: 50 }));
const mode = process.argv[2] ?? 'intelligence';
const guard = process.argv[3] === 'guard';
const starts = new Map(), fin = [];
let t = 0;
const r = simulate({ trace, farm, mode, seed: 1, plugins: guard ? ({ clock }) => [thermal({ clock })] : undefined, onEvent: (ev) => {
  if (ev.type === 'action.started') starts.set(ev.action + ev.node, ev);
  if (ev.type === 'action.finished' && ev.status === 'success') fin.push({ a: ev.action, node: ev.node, d: ev.durationMs });
}});
console.log(mode, guard, { makespan: r.makespanMs, lb: r.lowerBoundMs, cp: r.criticalPathMs, woc: r.workOverCapacityMs, util: r.utilisation, throttled: r.throttledMs, spec: r.speculations, wins: r.speculationWins, timing: r.timing });
const links = fin.filter(f => f.a.includes('/bin/'));
console.log(links.map(l => `${l.a} ${l.node} ${l.d}`).join('\n'));
const per = {}; for (const n of r.perNode) { const g = n.id.replace(/-\d+$/, ''); per[g] ??= { busy: 0, thr: 0, n: 0, peak: 0 }; per[g].busy += n.busyMs; per[g].thr += n.throttledMs; per[g].n++; per[g].peak = Math.max(per[g].peak, n.peakCelsius ?? 0); }
console.log(per);
