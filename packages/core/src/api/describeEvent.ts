import type { FesterEvent } from '../journal/events.js';

/**
 * One line saying what an event means, for causal-graph labels, autopsy chains and the CLI.
 * Only the events that take part in causes need care; the rest fall back to type + subject.
 */
export function describeEvent(ev: FesterEvent): string {
  switch (ev.type) {
    case 'cache.miss': {
      const paths = ev.changed.slice(0, 3).map((c) => c.path).join(', ');
      return `cache miss ${ev.action}: ${ev.reason}${paths ? ` (${paths}${ev.changed.length > 3 ? ', …' : ''})` : ''}`;
    }
    case 'input.changed': return `input ${ev.path} ${ev.before && ev.after ? 'changed' : ev.after ? 'added' : 'removed'} outside the build`;
    case 'cache.corrupt': return `corrupt ${ev.tier} cache entry ${ev.key.slice(0, 12)}: ${ev.message}`;
    case 'cache.hit': return `cache hit ${ev.action} (${ev.tier})`;
    case 'action.finished':
      if (ev.status === 'success') return `built ${ev.action} on ${ev.node}`;
      return `${ev.status} ${ev.action}${ev.node ? ` on ${ev.node}` : ''}: ${ev.message ?? `exit ${ev.exitCode}`}${ev.infrastructure ? ' (infrastructure)' : ''}`;
    case 'action.skipped': return `skipped ${ev.action}: ${ev.because} failed`;
    case 'action.retry': return `retry ${ev.action} (attempt ${ev.attempt}) after ${ev.node}: ${ev.reason}`;
    case 'action.started': return `started ${ev.action} on ${ev.node}`;
    case 'action.scheduled': return `scheduled ${ev.action} on ${ev.node || '(no node)'}`;
    case 'build.finished': return `build ${ev.status}${ev.error ? `: ${ev.error.code} ${ev.error.message}` : ''}`;
    case 'node.dropout': return `node ${ev.node} dropped out (silent ${Math.round(ev.silentMs)} ms, ${ev.leases} leases)`;
    case 'node.silent': return `node ${ev.node} missed heartbeats (silent ${Math.round(ev.silentMs)} ms of a ${ev.timeoutMs} ms timeout)`;
    case 'node.temperature': return `node ${ev.node} at ${ev.celsius ?? '?'} °C: ${ev.previous} → ${ev.state} (max ${ev.maxCelsius} °C)`;
    case 'node.left': return `node ${ev.node} left: ${ev.reason}`;
    case 'node.quarantined': return `node ${ev.node} ${ev.cleared ? 'out of' : 'in'} quarantine: ${ev.reason}`;
    case 'node.policy': return `node ${ev.node} policy ${ev.previous} → ${ev.policy}`;
    case 'lease.revoked': return `lease ${ev.lease} of ${ev.action} on ${ev.node} revoked: ${ev.reason}`;
    case 'lease.refused': return `late result of ${ev.action} from ${ev.node} refused (epoch ${ev.epoch} < ${ev.currentEpoch})`;
    case 'lease.granted': return `lease ${ev.lease} for ${ev.action} on ${ev.node}`;
    case 'blob.corrupt': return `blob ${ev.digest.slice(0, 12)} corrupt at ${ev.where} on ${ev.node}`;
    case 'plugin.event': return `${ev.plugin}: ${ev.name}`;
    default: {
      const subject = (ev as { action?: unknown; node?: unknown }).action ?? (ev as { node?: unknown }).node;
      return typeof subject === 'string' ? `${ev.type} ${subject}` : ev.type;
    }
  }
}

/** The action an event is about, if any. */
export function actionOf(ev: FesterEvent): string | undefined {
  const a = (ev as { action?: unknown }).action;
  return typeof a === 'string' ? a : undefined;
}

/** The node an event is about, if any. */
export function nodeOf(ev: FesterEvent): string | undefined {
  const n = (ev as { node?: unknown }).node;
  return typeof n === 'string' && n !== '' ? n : undefined;
}
