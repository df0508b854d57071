import type { ProjectYaml } from './schema.js';

/** A loaded, validated project with the means to point back into its file. */
export interface ProjectSource {
  /** Absolute path of project.yaml. */
  file: string;
  /** Absolute project root (sources live here; paths in actions are relative to it). */
  root: string;
  /** The out dir relative to root, POSIX. */
  out: string;
  data: ProjectYaml;
  /** 1-based line/col of the node at a YAML path, or undefined. */
  locate(path: readonly (string | number)[]): { line: number; col: number } | undefined;
}
