import React from 'react';
import { Text } from 'ink';
import type { FarmView, NodeView } from './farmView.js';

/** Node rows shown at most; a big farm's others are counted. */
const ROWS = 8;

function nodeColor(n: NodeView): string | undefined {
  if (n.throttles.has('max') || n.state === 'hot') return 'red';
  if (n.throttles.size || n.state === 'near') return 'yellow';
  return undefined;
}

/**
 * Nodes with their load, temperature and throttles; then what waits for a node and why; then
 * the last thermal and scheduler notices. Hidden for a single quiet node (nothing to say).
 */
export function FarmPanel({ farm }: { farm: FarmView }): React.ReactElement | null {
  const nodes = [...farm.nodes.values()];
  const eventful = nodes.some((n) => n.celsius !== undefined || n.throttles.size > 0);
  const showNodes = nodes.length > 1 || eventful;
  if (!showNodes && !farm.waiting.size && !farm.notices.length) return null;
  const width = Math.max(...nodes.map((n) => n.id.length), 4);
  const first = farm.waiting.entries().next().value;
  return (
    <>
      {showNodes ? nodes.slice(0, ROWS).map((n) => (
        <Text key={n.id} color={nodeColor(n)}>
          {'  '}{n.id.padEnd(width)}  {String(n.running).padStart(2)} running
          {n.celsius !== undefined ? `  ${n.celsius.toFixed(1)} °C` : ''}
          {n.throttles.size ? `  ${[...n.throttles.values()].join('; ')}` : ''}
        </Text>
      )) : null}
      {showNodes && nodes.length > ROWS ? <Text dimColor>{`  … ${nodes.length - ROWS} more nodes`}</Text> : null}
      {first !== undefined ? (
        <Text color="magenta">{`  ⏸ ${first[0]}${farm.waiting.size > 1 ? ` (+${farm.waiting.size - 1} more)` : ''} waits for a node — ${first[1]}`}</Text>
      ) : null}
      {farm.notices.map((line, i) => <Text key={i} dimColor>{`  ${line}`}</Text>)}
    </>
  );
}
