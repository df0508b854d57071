import type { Build, FesterPlugin } from '@fester/core';
import { pluginOptions } from '@fester/core';
import { z } from '@fester/core/zod';
import { uiDir } from './assets.js';
import { encodeGraph, GRAPH_EVENT, GRAPH_PLUGIN } from './graphEvent.js';
import { serveStatic } from './serveStatic.js';

export { cockpitDir, uiDir } from './assets.js';
export { installCockpit, defaultCockpitDest, isCoordinatorUrl, type CockpitInstallOptions, type CockpitInstallResult } from './cockpit.js';
export { GRAPH_EVENT, GRAPH_PLUGIN, type GraphData } from './graphEvent.js';

const NAME = GRAPH_PLUGIN;

const schema = z.strictObject({
  /** Record each build's action graph in the journal (the pages need it to draw the DAG). */
  recordGraph: z.boolean().optional(),
});

export type WebUiOptions = z.input<typeof schema>;

/**
 * The web UI: `/ui/live_dag.html` and `/ui/replay.html`, served by every server of a session
 * (coordinator, `fester build --serve`, `fester ui`) through `compiler.routes`. The pages read
 * only the HTTP API (`/api/replay`, `/api/events`, `/api/explain`); this plugin adds the one
 * thing the journal lacked for drawing: each build's action graph (artifacts and edges).
 */
export default function webui(options: WebUiOptions = {}): FesterPlugin {
  const opts = pluginOptions(NAME, schema, options);
  return {
    name: NAME,
    apply(compiler) {
      compiler.routes.add('GET', '/ui', NAME, (_req, res) => {
        res.writeHead(302, { location: '/ui/' });
        res.end();
      });
      compiler.routes.add('GET', '/ui/', NAME, serveStatic('/ui/', uiDir));
      if (opts.recordGraph === false) return;

      const builds = new Map<string, Build>();
      compiler.hooks.build.tap(NAME, (build) => { builds.set(build.id, build); });
      // Last stage: every other observer has seen `graph.resolved` before the graph follows it.
      compiler.hooks.event.tap({ name: NAME, stage: 1000 }, (ev) => {
        if (ev.type === 'build.finished' && ev.build) builds.delete(ev.build);
        if (ev.type !== 'graph.resolved' || !ev.build) return;
        const build = builds.get(ev.build);
        const data = build && encodeGraph(build);
        if (data) build.emit({ type: 'plugin.event', plugin: NAME, name: GRAPH_EVENT, data: data as unknown as Record<string, unknown> }, [ev.seq]);
      });
    },
  };
}
