import { execa } from 'execa';

/** The counters Fester journals, from `ccache --print-stats` (tab-separated `name\tvalue`). */
export interface CcacheCounters {
  directHits: number;
  preprocessedHits: number;
  misses: number;
  uncacheable: number;
  errors: number;
  filesBytes: number;
}

// ccache files calls it could not cache under many names; all are "uncacheable" to us.
const UNCACHEABLE = ['called_for_link', 'called_for_preprocessing', 'multiple_source_files', 'no_input_file', 'output_to_stdout', 'autoconf_test', 'bad_compiler_arguments', 'compile_failed', 'preprocessor_error', 'unsupported_code_directive', 'unsupported_compiler_option', 'unsupported_source_language', 'could_not_use_precompiled_header', 'could_not_use_modules'];
const ERRORS = ['internal_error', 'missing_cache_file', 'bad_output_file', 'compiler_check_failed', 'could_not_find_compiler', 'error_hashing_extra_file', 'remote_storage_error'];

export function parseStats(text: string): CcacheCounters {
  const v = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, n] = line.split('\t');
    if (k && n !== undefined && /^\d+$/.test(n.trim())) v.set(k.trim(), Number(n));
  }
  const sum = (ks: string[]) => ks.reduce((t, k) => t + (v.get(k) ?? 0), 0);
  return {
    directHits: v.get('direct_cache_hit') ?? 0,
    preprocessedHits: v.get('preprocessed_cache_hit') ?? 0,
    misses: v.get('cache_miss') ?? 0,
    uncacheable: sum(UNCACHEABLE),
    errors: sum(ERRORS),
    filesBytes: (v.get('cache_size_kibibyte') ?? 0) * 1024,
  };
}

/** Read one CCACHE_DIR's counters; a dir ccache never used reads as zeros. */
export async function readStats(ccache: string, dir: string): Promise<CcacheCounters> {
  const r = await execa(ccache, ['--print-stats'], { env: { CCACHE_DIR: dir }, reject: false });
  return parseStats(r.exitCode === 0 ? String(r.stdout) : '');
}

/** This build's share: counters after minus before (ccache's are cumulative). */
export function diffStats(after: CcacheCounters, before: CcacheCounters): CcacheCounters {
  return {
    directHits: after.directHits - before.directHits,
    preprocessedHits: after.preprocessedHits - before.preprocessedHits,
    misses: after.misses - before.misses,
    uncacheable: after.uncacheable - before.uncacheable,
    errors: after.errors - before.errors,
    filesBytes: after.filesBytes,
  };
}
