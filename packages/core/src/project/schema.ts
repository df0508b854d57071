import { z } from 'zod';

/** Targets Fester knows (DESIGN §1). `host` is an alias for the machine's own toolchain. */
export const KNOWN_TARGETS = ['host', 'x86_64-linux-gnu', 'aarch64-linux-gnu', 'riscv64-linux-gnu', 'arm-none-eabi'] as const;

const defineValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const strList = z.array(z.string());

/** Keys that `defaults` and each artifact share (artifact values are appended). */
export const flagShape = {
  cflags: strList.optional(),
  defines: z.record(z.string(), defineValue).optional(),
  includes: strList.optional(),
  ldflags: strList.optional(),
  libs: strList.optional(),
};

export const defaultsSchema = z.strictObject(flagShape);

export const artifactSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, 'letters, digits, _ . + - only'),
  kind: z.enum(['static-library', 'shared-library', 'executable']),
  sources: z.array(z.string()).min(1, 'an artifact needs at least one source'),
  exclude: strList.optional(),
  link: strList.optional(),
  ...flagShape,
});

export const actionSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only'),
  run: z.array(z.string()).min(1, 'run needs a command'),
  outputs: z.array(z.string()).min(1, 'an action needs at least one output'),
  inputs: strList.optional(),
});

export const projectSchema = z.strictObject({
  name: z.string().min(1),
  root: z.string().optional(),
  out: z.string().optional(),
  targets: z.array(z.enum(KNOWN_TARGETS)).min(1).optional(),
  defaults: defaultsSchema.optional(),
  artifacts: z.array(artifactSchema).optional(),
  actions: z.array(actionSchema).optional(),
});

export type ProjectYaml = z.infer<typeof projectSchema>;
export type ArtifactYaml = z.infer<typeof artifactSchema>;
export type CustomActionYaml = z.infer<typeof actionSchema>;

/** Known keys per level, for "did you mean" on unknown keys. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(projectSchema.shape);
  if (path[0] === 'defaults') return Object.keys(defaultsSchema.shape);
  if (path[0] === 'artifacts') return Object.keys(artifactSchema.shape);
  if (path[0] === 'actions') return Object.keys(actionSchema.shape);
  return [];
}
