import { Option } from 'clipanion';
import * as t from 'typanion';
import { FesterError } from '@fester/core';
import { MODE_NAMES } from '@fester/plugin-scheduler';
import { BASELINES, formatResult, formatTable, loadFarm, loadTrace, simulate, type Farm, type SimResult } from '@fester/plugin-scheduler/sim';
import thermal from '@fester/plugin-thermal';
import { FesterCommand } from './FesterCommand.js';

const SIM_MODES = [...MODE_NAMES, ...BASELINES] as const;
type SimMode = (typeof SIM_MODES)[number];

/** A Fester mode or a baseline; anything else is FE1001 like `fester build --mode`. */
function checkSimMode(name: string): SimMode {
  if ((SIM_MODES as readonly string[]).includes(name)) return name as SimMode;
  throw new FesterError('FE1001', { message: `unknown scheduler mode "${name}" (--mode)`, hint: `use one of: ${SIM_MODES.join(', ')} (the last two are the distcc-like and icecream-like baselines)` });
}

/**
 * The thermal plugin on the virtual clock, each node's limit taken from its thermal model, as
 * a real build has it (the CLI applies it by default). Baselines stand for other build farms:
 * they run without it.
 */
function guard(farm: Farm) {
  const nodes = Object.fromEntries(farm.nodes.filter((n) => n.thermal).map((n) => [n.id, { maxCelsius: n.thermal!.maxCelsius }]));
  return ({ clock }: { clock: () => number }) => [thermal({ clock, nodes })];
}

export class SimulateCommand extends FesterCommand {
  static override paths = [['simulate']];
  static override usage = FesterCommand.Usage({
    description: 'Run the real scheduler over a trace on a simulated farm: makespan, lower bound, utilisation, throttled time, transfers',
    details: `
      A discrete-event model of the farm in --farm (node speeds, slots, bandwidth, a thermal
      model, dropouts) runs the actions of --trace through the same schedule hook a build uses.
      Fester's modes run with the thermal plugin, as builds do (--no-thermal-guard turns it off);
      the baselines round-robin (distcc-like) and fastest-free (icecream-like) never do.
      The same seed gives the same numbers (the decision timings aside). File formats:
      docs/scheduler.md; \`fester trace generate\` writes examples.
    `,
    examples: [
      ['One mode', 'fester simulate --trace mixed.json --farm farm.json --mode thermal --seed 1'],
      ['Every mode and baseline side by side', 'fester simulate --trace mixed.json --farm farm.json --compare'],
      ['A farm that built the trace once before (history)', 'fester simulate --trace mixed.json --farm farm.json --warm 1'],
    ],
  });

  trace = Option.String('--trace', { required: true, description: 'Trace file (JSON): actions, runtimes, dependencies' });
  farm = Option.String('--farm', { required: true, description: 'Farm file (JSON): nodes, speeds, slots, thermal models, dropouts' });
  mode = Option.String('--mode', 'unified', { description: `One of ${SIM_MODES.join(', ')}` });
  seed = Option.String('--seed', '0', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]), description: 'Seed of tie-breaks and runtime jitter' });
  warm = Option.String('--warm', '0', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0), t.isAtMost(10)]), description: 'Run the trace this many times first, carrying the scheduler history over (a farm that built it before); report the last run' });
  compare = Option.Boolean('--compare', false, { description: 'Run every mode and baseline and print a table' });
  thermalGuard = Option.Boolean('--thermal-guard', true, { description: 'Apply the thermal plugin to Fester modes (default on, as in builds)' });
  json = Option.Boolean('--json', false, { description: 'Print the results as JSON' });

  async run(): Promise<number> {
    const modes = this.compare ? [...SIM_MODES] : [checkSimMode(this.mode)];
    const trace = loadTrace(this.trace);
    const farm = loadFarm(this.farm);
    const seed = Number(this.seed);
    const results: SimResult[] = modes.map((mode) => simulate({
      trace, farm, mode, seed, warm: Number(this.warm),
      ...(this.thermalGuard && !(BASELINES as readonly string[]).includes(mode) ? { plugins: guard(farm) } : {}),
    }));
    if (this.json) this.context.stdout.write(`${JSON.stringify(this.compare ? results : results[0], null, 2)}\n`);
    else if (this.compare) this.context.stdout.write(formatTable(results));
    else this.context.stdout.write(formatResult(results[0]!));
    return 0;
  }
}
