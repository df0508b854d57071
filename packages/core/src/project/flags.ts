import type { ArtifactYaml, ProjectYaml } from './schema.js';

export interface Flags {
  cflags: string[];
  defines: [string, string | number | boolean | null][];
  includes: string[];
  ldflags: string[];
  libs: string[];
}

type FlagSet = NonNullable<ProjectYaml['defaults']>;

/**
 * The flags of one artifact for one target, in order: project defaults, the project's
 * overrides for the target, the artifact's own, the artifact's overrides for the target.
 * Lists are appended; for defines the later value wins.
 */
export function mergeFlags(project: ProjectYaml, art: Partial<ArtifactYaml>, target: string): Flags {
  const layers: FlagSet[] = [project.defaults ?? {}, project.overrides?.[target as keyof typeof project.overrides] ?? {}, art, art.overrides?.[target as keyof typeof art.overrides] ?? {}];
  const defines = new Map<string, string | number | boolean | null>();
  for (const l of layers) for (const [k, v] of Object.entries(l.defines ?? {})) defines.set(k, v);
  return {
    cflags: layers.flatMap((l) => l.cflags ?? []),
    defines: [...defines.entries()],
    includes: layers.flatMap((l) => l.includes ?? []),
    ldflags: layers.flatMap((l) => l.ldflags ?? []),
    libs: layers.flatMap((l) => l.libs ?? []),
  };
}

/** `{ X: 1, Y: true, Z: null }` → `-DX=1 -DY -DZ`; `false` leaves the macro undefined. */
export function defineArgs(defines: Flags['defines']): string[] {
  const out: string[] = [];
  for (const [k, v] of defines) {
    if (v === false) continue;
    out.push(v === true || v === null ? `-D${k}` : `-D${k}=${v}`);
  }
  return out;
}
