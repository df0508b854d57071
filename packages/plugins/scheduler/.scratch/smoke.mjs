import { simulate, generateTrace, generateFarm, parseTrace, parseFarm, formatTable } from '@fester/plugin-scheduler/sim';
import thermal from '@fester/plugin-thermal';
const trace = parseTrace(generateTrace(process.argv[2] ?? 'mixed', { actions: Number(process.argv[3] ?? 3000), seed: 1, scale: Number(process.argv[4] ?? 1) }));
const farm = parseFarm(generateFarm({ nodes: 50 }));
const rows = [];
for (const mode of ['round-robin', 'fastest-free', 'unified', 'thermal', 'cache-first', 'target-isolated', 'intelligence']) {
  const t0 = Date.now();
  const plugins = mode === 'thermal' ? ({ clock, farm }) => [thermal({ clock, nodes: Object.fromEntries(farm.nodes.map(n => [n.id, { maxCelsius: n.thermal?.maxCelsius ?? 85 }])) })] : undefined;
  const r = simulate({ trace, farm, mode, seed: 1, plugins });
  rows.push(r);
  console.error(mode, Date.now() - t0, 'ms wall', r.timing);
}
console.log(formatTable(rows));
