import type * as Zod from 'zod';
import { lazy } from '../util/lazy.js';
import { KNOWN_TARGETS } from './targets.js';

export { KNOWN_TARGETS };

const zod = lazy<typeof Zod>('zod');

function build() {
  const { z } = zod();
  const defineValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
  const strList = z.array(z.string());
  /** Keys that `defaults` and each artifact share (artifact values are appended). */
  const flagShape = {
    cflags: strList.optional(),
    defines: z.record(z.string(), defineValue).optional(),
    includes: strList.optional(),
    ldflags: strList.optional(),
    libs: strList.optional(),
  };
  const defaults = z.strictObject(flagShape);
  const targetName = z.enum(KNOWN_TARGETS);
  /** Per-target flags, appended after the others for that target only. */
  const overrides = z.partialRecord(targetName, defaults);
  const artifact = z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, 'letters, digits, _ . + - only'),
    kind: z.enum(['static-library', 'shared-library', 'executable']),
    sources: z.array(z.string()).min(1, 'an artifact needs at least one source'),
    exclude: strList.optional(),
    link: strList.optional(),
    targets: z.array(targetName).min(1).optional(),
    overrides: overrides.optional(),
    ...flagShape,
  });
  const action = z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only'),
    run: z.array(z.string()).min(1, 'run needs a command'),
    outputs: z.array(z.string()).min(1, 'an action needs at least one output'),
    inputs: strList.optional(),
    targets: z.array(targetName).min(1).optional(),
  });
  const project = z.strictObject({
    name: z.string().min(1),
    root: z.string().optional(),
    out: z.string().optional(),
    targets: z.array(z.enum(KNOWN_TARGETS)).min(1).optional(),
    defaults: defaults.optional(),
    overrides: overrides.optional(),
    artifacts: z.array(artifact).optional(),
    actions: z.array(action).optional(),
  });
  return { project, defaults, artifact, action };
}

let built: ReturnType<typeof build> | undefined;
/** The project.yaml schemas (schema version 1, DESIGN §5), built with zod on first use. */
export function schemas(): ReturnType<typeof build> {
  return (built ??= build());
}

export type ProjectYaml = Zod.infer<ReturnType<typeof build>['project']>;
export type ArtifactYaml = Zod.infer<ReturnType<typeof build>['artifact']>;
export type CustomActionYaml = Zod.infer<ReturnType<typeof build>['action']>;

/** Known keys per level, for "did you mean" on unknown keys. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const s = schemas();
  if (path.length === 0) return Object.keys(s.project.shape);
  if ((path[0] === 'overrides' && path.length === 1) || (path[0] === 'artifacts' && path[2] === 'overrides' && path.length === 3)) return [...KNOWN_TARGETS];
  if (path[0] === 'defaults' || (path[0] === 'overrides' && path.length > 1) || (path[0] === 'artifacts' && path[2] === 'overrides' && path.length > 3)) return Object.keys(s.defaults.shape);
  if (path[0] === 'artifacts') return Object.keys(s.artifact.shape);
  if (path[0] === 'actions') return Object.keys(s.action.shape);
  return [];
}
