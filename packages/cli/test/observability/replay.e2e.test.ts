import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };

/**
 * `fester replay` on a real 3-agent session: the recorded decisions come out the same when the
 * timeline is fed back through the scheduler; a tampered copy does not; a torn copy replays
 * up to the tear; `--mode` prints the makespans of a what-if.
 */
describe('fester replay', () => {
  const f = fixture('portable');
  let session = '';
  let intelligence = '';
  let journal = '';
  let lines: string[] = [];
  const replay = (args: string[]) => fester(['replay', ...args], { cwd: f.dir, cache: f.cache });

  beforeAll(async () => {
    const co = await startCoordinator(f.base, { host: '127.0.0.32' });
    for (const id of ['p1', 'p2', 'p3']) startAgent(f.base, co.url, id);
    await waitNodes(co.url, ready(['p1', 'p2', 'p3']), 90_000);
    const r = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);
    // A second session in the intelligence mode (clock-derived factors), from scratch: its own cache, no outputs.
    rmSync(join(f.dir, 'build'), { recursive: true, force: true });
    const i = await fester(['build', '--farm', co.url, '--mode', 'intelligence'], { cwd: f.dir, cache: join(f.base, 'cache-intelligence'), env });
    expect(i.exitCode, i.stderr).toBe(0);
    await stopAll();
    const dir = join(f.dir, '.fester/sessions');
    [session, intelligence] = readdirSync(dir).sort().map((n) => n.replace(/\.jsonl$/, '')) as [string, string];
    journal = join(dir, `${session}.jsonl`);
    lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
  });
  afterAll(async () => { await stopAll(); f.cleanup(); });

  const decisions = () => lines.map((l) => JSON.parse(l)).filter((e) => e.type === 'schedule.decision');

  it('reproduces every decision of the recorded session', async () => {
    const recorded = decisions();
    expect(recorded.length).toBeGreaterThanOrEqual(20);
    expect(new Set(recorded.map((d) => d.chosen)).size, 'work spread over the agents').toBeGreaterThanOrEqual(2);
    const r = await replay([session, '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.decisions).toBe(recorded.length);
    expect(rep.replayed).toBe(recorded.length);
    expect(rep.same).toBe(recorded.length);
    expect(rep.differing).toEqual([]);
    expect(rep.skipped).toEqual([]);
    const text = await replay([session]);
    expect(text.stdout).toContain(`${recorded.length} of ${recorded.length} decisions reproduced (100.0%)`);
    // What the recorder costs in journal bytes, per decision (reported, not asserted: it grows with the farm).
    const inputs = lines.filter((l) => l.includes('"plugin":"fester:replay"'));
    expect(inputs).toHaveLength(recorded.length);
    console.log(`replay records: ${inputs.length}, mean ${Math.round(inputs.reduce((n, l) => n + l.length, 0) / inputs.length)} bytes (decisions: mean ${Math.round(lines.filter((l) => l.includes('"schedule.decision"')).reduce((n, l) => n + l.length, 0) / recorded.length)} bytes)`);
  });

  it('reproduces an intelligence-mode session exactly: its clock-derived factors against the clock each decision journaled', async () => {
    const r = await replay([intelligence, '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.modes).toEqual(['intelligence']);
    expect(rep.decisions).toBeGreaterThanOrEqual(20);
    expect(rep.same).toBe(rep.decisions);
    expect(rep.differing).toEqual([]);
    expect(rep.skipped).toEqual([]);
    // No tolerance is needed: the live scheduler read the clock once per placement and wrote it down.
    expect(rep.clock).toEqual([]);
    const clocked = readFileSync(join(f.dir, '.fester/sessions', `${intelligence}.jsonl`), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'schedule.decision' && typeof e.clock === 'number');
    expect(clocked.length, 'decisions that computed from time journal their clock').toBeGreaterThan(0);
  });

  it('reports a decision that the recorded timeline does not support', async () => {
    // Tamper with the node facts the recorder saw: the chosen node of one decision was "avoid".
    const all = lines.map((l) => JSON.parse(l));
    const at = all.findIndex((e) => e.type === 'schedule.decision' && e.candidates.filter((c: { filtered?: string }) => !c.filtered).length > 1);
    const d = all[at];
    const input = all[at + 1];
    expect(input).toMatchObject({ type: 'plugin.event', plugin: 'fester:replay', name: 'input', data: { action: d.action } });
    // Facts are recorded as changes: the chosen node's facts as of this record are the last ones written.
    const current = all.slice(0, at + 2).filter((e) => e.plugin === 'fester:replay').flatMap((e) => e.data.nodes).filter((n) => n.id === d.chosen && n.facts).at(-1).facts;
    for (const n of input.data.nodes) if (n.id === d.chosen) n.facts = { ...current, policy: 'avoid' };
    const copy = join(f.base, 'tampered.jsonl');
    writeFileSync(copy, `${all.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const r = await replay([copy, '--json']);
    expect(r.exitCode).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.differing.map((x: { seq: number }) => x.seq)).toContain(d.seq);
    const diff = rep.differing.find((x: { seq: number }) => x.seq === d.seq);
    expect(diff.recorded).toBe(d.chosen);
    expect(diff.candidates.find((c: { node: string }) => c.node === d.chosen).factors.join(' ')).toMatch(/policy 0\.5 → 0/);
    const text = await replay([copy]);
    expect(text.stdout).toMatch(new RegExp(`DIFFERS #${d.seq} `));
  });

  it('replays a torn journal up to the tear', async () => {
    const all = decisions();
    const cut = lines.findIndex((l) => JSON.parse(l).seq === all[9].seq) + 2; // the 10th decision and its input
    const torn = join(f.base, 'torn.jsonl');
    writeFileSync(torn, `${lines.slice(0, cut).join('\n')}\n${lines[cut]!.slice(0, 40)}`);
    const r = await replay([torn, '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.torn.afterSeq).toBe(JSON.parse(lines[cut - 1]!).seq);
    expect(rep.decisions).toBe(10);
    expect(rep.same).toBe(10);
    expect((await replay([torn])).stdout).toMatch(/journal torn after seq \d+: replayed up to the tear/);
  });

  it('--mode prints the makespans of the recorded mode and the what-if', async () => {
    const r = await replay([session, '--mode', 'thermal']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/what if: build \S+, 20 executed actions on 3 nodes \(p1, p2, p3\)/);
    expect(r.stdout).toMatch(/unified\s+makespan \d+\.\d\d s/);
    expect(r.stdout).toMatch(/thermal\s+makespan \d+\.\d\d s/);
    const j = JSON.parse((await replay([session, '--mode', 'intelligence', '--json'])).stdout);
    expect(j.whatIf.runs.map((x: { mode: string }) => x.mode)).toEqual(['unified', 'intelligence']);
    expect(j.whatIf.runs.every((x: { makespanMs: number; lowerBoundMs: number }) => x.makespanMs >= x.lowerBoundMs && x.makespanMs > 0)).toBe(true);
  });

  it('bad input: unknown session FE1102, unknown mode FE1001, no stack trace', async () => {
    const a = await replay(['20260101T000000000Z-000000']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/FE1102/);
    const b = await replay([session, '--mode', 'fastest']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/FE1001/);
    for (const x of [a, b]) expect(x.stderr).not.toMatch(/\n\s+at /);
  });
});
