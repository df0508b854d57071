import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * The package folder, found through module resolution rather than `import.meta.url`: the CLI
 * bundles this plugin into its own file, where `import.meta.url` names the bundle instead.
 */
export function packageRoot(): string {
  root ??= dirname(createRequire(import.meta.url).resolve('@fester/plugin-webui/package.json'));
  return root;
}

/** The built pages (`dist/ui/`): HTML, CSS and the bundled scripts with the layout library. */
export function uiDir(): string {
  return join(packageRoot(), 'dist', 'ui');
}

/** The built Cockpit package (`dist/cockpit/`): manifest.json, index.html, fester.js. */
export function cockpitDir(): string {
  return join(packageRoot(), 'dist', 'cockpit');
}
