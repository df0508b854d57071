/** Median of a list of numbers (the machine is noisy; the mean would follow the outliers). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Time Fester and its peer `reps` times each, interleaved within one run so that drift in the
 * machine's load hits both sides alike; which side goes first alternates per repetition.
 * Each side is `{ prepare(), measure() → seconds | { seconds, cpu } }`; only measure() is timed. `done`
 * holds samples already taken under the same conditions (e.g. a reference run), used in place
 * of the first repetitions of that side.
 */
export function interleave(reps, fester, peer, log = () => {}, done = {}) {
  const times = { fester: [], peer: [] };
  const cpu = { fester: [], peer: [] };
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? [['fester', fester], ['peer', peer]] : [['peer', peer], ['fester', fester]];
    for (const [name, side] of order) {
      const ref = done[name]?.[i];
      if (ref === undefined) side.prepare?.();
      const got = ref ?? side.measure();
      const m = typeof got === 'number' ? { seconds: got } : got;
      times[name].push(m.seconds);
      if (m.cpu !== undefined) cpu[name].push(m.cpu);
      const c = m.cpu === undefined ? '' : ` (CPU ${m.cpu.toFixed(2)} s)`;
      log(`  rep ${i + 1}/${reps} ${name.padEnd(6)} ${m.seconds.toFixed(3)} s${c}${ref ? ' — the reference run' : ''}`);
    }
  }
  const cpuMedian = (xs) => (xs.length === reps ? median(xs) : undefined);
  return { fester: median(times.fester), peer: median(times.peer), samples: times, cpu: { fester: cpuMedian(cpu.fester), peer: cpuMedian(cpu.peer) } };
}
