// Builds the browser side of @fester/plugin-webui into dist/: the pages (dist/ui/) and the
// Cockpit package (dist/cockpit/). Run by scripts/bundle.mjs after `tsc -b`, which has already
// type-checked web/ (web/tsconfig.json). Everything is bundled, the layout library included:
// the pages load nothing from outside the server that serves them (no CDN).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ui = join(here, 'dist', 'ui');
const cockpit = join(here, 'dist', 'cockpit');
rmSync(ui, { recursive: true, force: true });
rmSync(cockpit, { recursive: true, force: true });
mkdirSync(ui, { recursive: true });
mkdirSync(cockpit, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: 'linked', target: ['chrome110', 'firefox115', 'safari16'], logLevel: 'warning', legalComments: 'linked' };
await build({
  ...common,
  entryPoints: { live_dag: join(here, 'web', 'live_dag.ts'), replay: join(here, 'web', 'replay.ts') },
  outdir: ui,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
cpSync(join(here, 'static'), ui, { recursive: true });

// Cockpit loads ../base1/cockpit.js as a classic script first; ours is an IIFE after it
// (its CSP forbids inline scripts, so everything lives in files).
await build({ ...common, entryPoints: { fester: join(here, 'web', 'cockpit', 'main.ts') }, outdir: cockpit, format: 'iife' });
cpSync(join(here, 'cockpit'), cockpit, { recursive: true });
