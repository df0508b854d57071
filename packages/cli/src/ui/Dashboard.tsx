import React, { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import type { DashboardState } from './dashboardState.js';
import { FarmPanel } from './FarmPanel.js';

const BAR = 30;

function bar(done: number, total: number): string {
  const n = total === 0 ? 0 : Math.round((done / total) * BAR);
  return '█'.repeat(n) + '░'.repeat(BAR - n);
}

/** Live build view: progress, nodes and their throttles, what waits, running actions with elapsed time, hit ratio, failures. */
export function Dashboard({ state }: { state: DashboardState }): React.ReactElement {
  const [, setTick] = useState(0);
  useEffect(() => {
    let pending = false;
    const un = state.subscribe(() => {
      if (pending) return;
      pending = true;
      setTimeout(() => { pending = false; setTick((t) => t + 1); }, 80);
    });
    const timer = setInterval(() => setTick((t) => t + 1), 250);
    return () => { un(); clearInterval(timer); };
  }, [state]);
  const now = Date.now();
  const running = [...state.running.values()].sort((a, b) => a.startedAt - b.startedAt).slice(0, 8);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>fester</Text> {state.project}  <Text color="cyan">{bar(state.settled, state.total)}</Text> {state.settled}/{state.total}
      </Text>
      <Text dimColor>
        run {state.executed} · cached {state.hits} · up to date {state.upToDate} · hit ratio {(state.hitRatio() * 100).toFixed(0)}% · failed {state.failures.length}
      </Text>
      <FarmPanel farm={state.farm} />
      {running.map((r) => (
        <Text key={r.action}>
          <Text color="yellow">  ▶ </Text>{r.action} <Text dimColor>on {r.node} {((now - r.startedAt) / 1000).toFixed(1)}s</Text>
        </Text>
      ))}
      {state.lastSummary ? <Text color={state.failures.length ? 'red' : 'green'}>{state.lastSummary} — watching for changes</Text> : null}
      {state.failures.slice(0, 3).map((f) => (
        <Box key={f.action} flexDirection="column">
          <Text color="red">  ✖ {f.action}: {f.message}</Text>
          {f.stderr ? <Text dimColor>{f.stderr.trimEnd().split('\n').slice(0, 12).map((l) => `      ${l}`).join('\n')}</Text> : null}
        </Box>
      ))}
    </Box>
  );
}
