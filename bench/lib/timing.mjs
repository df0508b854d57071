/** Median of a list of numbers (the machine is noisy; the mean would follow the outliers). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Time Fester and its peer `reps` times each, interleaved within one run so that drift in the
 * machine's load hits both sides alike; which side goes first alternates per repetition.
 * Each side is `{ prepare(), measure() → seconds }`; only measure() is timed. `done` holds
 * samples already taken under the same conditions (e.g. a reference run), used in place of
 * the first repetitions of that side.
 */
export function interleave(reps, fester, peer, log = () => {}, done = {}) {
  const times = { fester: [], peer: [] };
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? [['fester', fester], ['peer', peer]] : [['peer', peer], ['fester', fester]];
    for (const [name, side] of order) {
      if (done[name]?.[i] !== undefined) {
        times[name].push(done[name][i]);
        log(`  rep ${i + 1}/${reps} ${name.padEnd(6)} ${done[name][i].toFixed(3)} s (reference run)`);
        continue;
      }
      side.prepare?.();
      const s = side.measure();
      times[name].push(s);
      log(`  rep ${i + 1}/${reps} ${name.padEnd(6)} ${s.toFixed(3)} s`);
    }
  }
  return { fester: median(times.fester), peer: median(times.peer), samples: times };
}
