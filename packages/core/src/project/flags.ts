import type { ArtifactYaml, ProjectYaml } from './schema.js';

export interface Flags {
  cflags: string[];
  defines: [string, string | number | boolean | null][];
  includes: string[];
  ldflags: string[];
  libs: string[];
}

/** defaults + artifact, artifact values appended (defines: the artifact's value wins). */
export function mergeFlags(defaults: ProjectYaml['defaults'], art: Partial<ArtifactYaml>): Flags {
  const d = defaults ?? {};
  const defines = new Map(Object.entries(d.defines ?? {}));
  for (const [k, v] of Object.entries(art.defines ?? {})) defines.set(k, v);
  return {
    cflags: [...(d.cflags ?? []), ...(art.cflags ?? [])],
    defines: [...defines.entries()],
    includes: [...(d.includes ?? []), ...(art.includes ?? [])],
    ldflags: [...(d.ldflags ?? []), ...(art.ldflags ?? [])],
    libs: [...(d.libs ?? []), ...(art.libs ?? [])],
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
