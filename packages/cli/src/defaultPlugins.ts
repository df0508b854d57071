import type { FesterConfig, FesterPlugin } from '@fester/core';
import elf from '@fester/plugin-elf';
import prometheus from '@fester/plugin-prometheus';
import scheduler from '@fester/plugin-scheduler';
import thermal from '@fester/plugin-thermal';
import webui from '@fester/plugin-webui';
import { replayRecorder } from './replay/recorder.js';

/**
 * Built-in plugins the CLI adds after the user's own (the core knows no plugin by name).
 * Listing a plugin of the same name in festerconfig.ts replaces the default, e.g.
 * `elf({ validateToolchains: false })`.
 */
export function withDefaultPlugins(config: FesterConfig): FesterConfig {
  const mine = config.plugins ?? [];
  // prometheus: plain counters per event; prom-client itself loads only when /metrics is scraped.
  // replay recorder: what the scheduler's mode read at each decision, for `fester replay`.
  // scheduler: the mode from `scheduler.mode` / --mode; thermal: no dispatch to a node at its max temperature.
  const defaults: FesterPlugin[] = [elf(), webui(), prometheus(), scheduler(), thermal(), replayRecorder()];
  return { ...config, plugins: [...mine, ...defaults.filter((d) => !mine.some((p) => p.name === d.name))] };
}
