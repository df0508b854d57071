/**
 * Every metric the plugin exports, in one place: the registry, the Grafana dashboard and the
 * alert rules all name them from here, so a rename cannot leave a panel reading nothing.
 */
export const M = {
  actions: 'fester_actions_total',
  builds: 'fester_builds_total',
  buildsRunning: 'fester_builds_running',
  queue: 'fester_queue_length',
  running: 'fester_actions_running',
  cacheLookups: 'fester_cache_lookups_total',
  cacheMisses: 'fester_cache_misses_total',
  cacheCorrupt: 'fester_cache_corrupt_total',
  blobCorrupt: 'fester_blob_corrupt_total',
  nodeUp: 'fester_node_up',
  nodeSlots: 'fester_node_slots',
  nodeRunning: 'fester_node_running',
  nodeLoad: 'fester_node_load',
  nodeTemp: 'fester_node_temperature_celsius',
  nodeThrottled: 'fester_node_throttled',
  dropouts: 'fester_node_dropouts_total',
  leaseRevocations: 'fester_lease_revocations_total',
  leaseRefused: 'fester_lease_refused_total',
  retries: 'fester_action_retries_total',
  decision: 'fester_schedule_decision_seconds',
  farmRejected: 'fester_farm_rejected_total',
} as const;

/**
 * Outcomes counted by `fester_actions_total{state}`, one per attempt: `lost` is an attempt that
 * failed for infrastructure reasons (node gone, lease revoked, no node) — usually retried.
 */
export const ACTION_END_STATES = ['built', 'failed', 'lost', 'interrupted', 'cached', 'uptodate', 'skipped'] as const;

/** Buckets of the decision-latency histogram, in seconds: 10 µs … 1 s (a decision is usually < 1 ms). */
export const DECISION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1];
