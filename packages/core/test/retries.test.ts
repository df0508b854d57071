import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler } from '../src/Compiler.js';
import type { FesterPlugin } from '../src/config/types.js';
import type { ExecuteResult } from '../src/hooks.js';
import { readJournal } from '../src/journal/readJournal.js';

/**
 * Infrastructure retries as the runner applies them, through the public execute hook: a
 * plugin ahead of the local executor fails one action's first tries, either as a node lost
 * under it (a dropout) or as a plain infrastructure failure of the node.
 */
const base = mkdtempSync(join(tmpdir(), 'fester-retries-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function project(name: string): string {
  const dir = join(base, name);
  cpSync(join(__dirname, '../../../fixtures/hello'), dir, { recursive: true, filter: (s) => !/\/build$|\.fester$/.test(s) });
  return join(dir, 'project.yaml');
}

const VICTIM = 'host/obj/greet/lib/greet.c.o';

function failing(times: number, how: 'lost' | 'broken'): FesterPlugin {
  return {
    name: 'flaky',
    apply(compiler) {
      compiler.hooks.build.tap('flaky', (build) => {
        let left = times;
        build.hooks.execute.tapPromise({ name: 'flaky', stage: -10 }, async (req): Promise<ExecuteResult | undefined> => {
          if (req.action.id !== VICTIM || left <= 0) return undefined;
          left--;
          const r: ExecuteResult = { exitCode: null, stdout: '', stderr: '', durationMs: 1, infrastructure: true, message: how === 'lost' ? 'FE0817 node dropped out' : 'FE0001 sandbox broke' };
          return how === 'lost' ? { ...r, nodeLost: true } : r;
        });
      });
    },
  };
}

async function build(name: string, plugin: FesterPlugin) {
  const file = project(name);
  const compiler = new Compiler({ config: { plugins: [plugin] }, cacheDir: join(base, `cache-${name}`), jobs: 2 });
  const r = await compiler.run({ file });
  const journal = compiler.sessionJournal!.path!;
  await compiler.close();
  const events = readJournal(journal).events;
  return { status: r.status, retries: events.filter((e) => e.type === 'action.retry' && (e as { action: string }).action === VICTIM), events };
}

describe('infrastructure retries', () => {
  it('a node lost under an action does not count against the node: the same node may take it again', async () => {
    const r = await build('lost5', failing(5, 'lost'));
    expect(r.status).toBe('success');
    expect(r.retries).toHaveLength(5);
    expect(r.retries.every((e) => (e as { node: string }).node === 'local')).toBe(true);
    expect(r.retries.every((e) => ((e as { exclude: string[] }).exclude).length === 0)).toBe(true);
  });

  it('the node-loss budget is bounded: the sixth loss fails the action as infrastructure', async () => {
    const r = await build('lost6', failing(6, 'lost'));
    expect(r.status).toBe('failed');
    expect(r.retries).toHaveLength(5);
    const fin = r.events.find((e) => e.type === 'action.finished' && (e as { action: string }).action === VICTIM && (e as { status: string }).status === 'failed') as { infrastructure?: boolean; message?: string };
    expect(fin.infrastructure).toBe(true);
    expect(fin.message).toContain('FE0817');
  });

  it('any other infrastructure failure excludes the node; with no other node the action is unplaceable (FE0816)', async () => {
    const r = await build('broken', failing(1, 'broken'));
    expect(r.status).toBe('failed');
    expect(r.retries).toHaveLength(1);
    expect((r.retries[0] as { exclude: string[] }).exclude).toEqual(['local']);
    const fin = r.events.find((e) => e.type === 'action.finished' && (e as { action: string }).action === VICTIM && (e as { node: string }).node === '') as { message: string };
    expect(fin.message).toMatch(/^FE0816 no node can run/);
  });
});
