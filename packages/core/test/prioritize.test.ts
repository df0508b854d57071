import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler } from '../src/Compiler.js';
import type { FesterPlugin } from '../src/config/types.js';
import { readJournal } from '../src/journal/readJournal.js';

/**
 * `build.hooks.prioritize` orders the run queue: with one job, and the first action held until
 * every other ready action has queued behind it, the rest start highest priority first.
 */
const base = mkdtempSync(join(tmpdir(), 'fester-prio-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const PRIORITY: Record<string, number> = {
  'host/obj/shout/tool/shout.c.o': 3,
  'host/obj/greet/lib/count.c.o': 2,
  'host/obj/greet/lib/greet.c.o': 1,
};

function prioritised(sign: number): FesterPlugin {
  return {
    name: 'prio',
    apply(compiler) {
      compiler.hooks.build.tap('prio', (build) => {
        if (sign) build.hooks.prioritize.tap('prio', (p, a) => p + sign * (PRIORITY[a.id] ?? 0));
        // Hold the first prioritised action to run until the other two have queued behind it.
        const queued = new Set<string>();
        let release = () => {};
        const all = new Promise<void>((r) => { release = r; });
        build.hooks.event.tap('prio', (e) => {
          if (e.type === 'action.queued' && e.action in PRIORITY) queued.add(e.action);
          if (queued.size === Object.keys(PRIORITY).length) release();
        });
        // (Every compile waits for gen-version's header, so the first of them to run is held.)
        let first = true;
        build.hooks.execute.tapPromise({ name: 'prio', stage: -10 }, async (req) => {
          if (first && req.action.id in PRIORITY) {
            first = false;
            await Promise.race([all, new Promise((r) => setTimeout(r, 20_000))]);
          }
          return undefined;
        });
      });
    },
  };
}

async function startOrder(name: string, sign: number): Promise<string[]> {
  const dir = join(base, name);
  cpSync(join(__dirname, '../../../fixtures/hello'), dir, { recursive: true, filter: (s) => !/\/build$|\.fester$/.test(s) });
  const compiler = new Compiler({ config: { plugins: [prioritised(sign)] }, cacheDir: join(base, `cache-${name}`), jobs: 1 });
  const r = await compiler.run({ file: join(dir, 'project.yaml') });
  const journal = compiler.sessionJournal!.path!;
  await compiler.close();
  expect(r.status).toBe('success');
  return readJournal(journal).events.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action);
}

describe('run queue priority', () => {
  it('starts queued actions highest priority first (and reversing the priorities reverses the order)', async () => {
    for (const sign of [1, -1]) {
      const order = await startOrder(`tap${sign}`, sign);
      // The first prioritised action ran while the others were still being looked up; the other two queued.
      const rest = order.filter((id) => id in PRIORITY).slice(1);
      expect(rest).toHaveLength(2);
      expect(rest).toEqual([...rest].sort((x, y) => sign * (PRIORITY[y]! - PRIORITY[x]!)));
    }
    // Without a tap the hook is never called and the build is as before.
    expect((await startOrder('plain', 0)).filter((id) => id in PRIORITY)).toHaveLength(3);
  });
});
