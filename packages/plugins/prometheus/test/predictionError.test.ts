import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler } from '@fester/core';
import scheduler, { SCHEDULER_HISTORY, type History } from '@fester/plugin-scheduler';
import prometheus from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'fester-prom-pred-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** /metrics of a Compiler, served over a real loopback HTTP server from its route registry. */
async function scrape(compiler: Compiler): Promise<string> {
  const server = createServer((req, res) => { void compiler.routes.handle(req, res).then((ok) => { if (!ok) res.writeHead(404).end(); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const { port } = server.address() as { port: number };
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } finally {
    server.close();
  }
}

describe('scheduler prediction error in /metrics', () => {
  it('exports, per node, the error of the runtimes the scheduler predicted and then measured', async () => {
    const compiler = new Compiler({ config: { plugins: [prometheus(), scheduler({ history: { file: join(base, 'history.json') } })] }, cacheDir: join(base, 'cache') });
    expect(await scrape(compiler)).not.toMatch(/^fester_scheduler_prediction_error\{/m);
    const history = (compiler as unknown as Record<symbol, History>)[SCHEDULER_HISTORY];
    // The first run only teaches; the next two are predicted (100 ms) and measured 150 and 50 ms.
    history.observe('arm-1', 'compile/aarch64', 100);
    history.observe('arm-1', 'compile/aarch64', 150);
    history.observe('arm-1', 'compile/aarch64', 50);
    const text = await scrape(compiler);
    const samples = /^fester_scheduler_prediction_samples\{node="arm-1"\} (\d+)$/m.exec(text);
    const error = /^fester_scheduler_prediction_error\{node="arm-1"\} ([\d.]+)$/m.exec(text);
    expect(Number(samples?.[1])).toBe(2);
    // What the history itself says (its error measure is documented in docs/scheduler.md).
    const own = history.predictionErrors()['arm-1']!;
    expect(own.mape).toBeGreaterThan(0.3);
    expect(Number(error?.[1])).toBeCloseTo(own.mape, 6);
    await compiler.close();
  });
});
