import { join } from 'node:path';
import { Option } from 'clipanion';
import { FesterError, formatSize, parseSize, type CacheTier, type Compiler } from '@fester/core';
import { createCompiler } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

/**
 * `fester cache stats|verify|gc`: operations on every tier the festerconfig enables (found
 * from the current folder or --config), through the tiers' common `compiler.cacheTiers` face.
 */
abstract class CacheCommand extends FesterCommand {
  tier = Option.String('--tier', { description: 'Only this tier (e.g. local, tmpfs)' });
  json = Option.Boolean('--json', false, { description: 'Print JSON' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.* (default: searched from the current folder)' });

  protected async tiers(): Promise<{ compiler: Compiler; tiers: CacheTier[] }> {
    const compiler = await createCompiler(join(process.cwd(), 'project.yaml'), { config: this.config });
    const all = compiler.cacheTiers.list();
    if (!this.tier) return { compiler, tiers: all };
    const t = compiler.cacheTiers.get(this.tier);
    if (!t) throw new FesterError('FE0504', { message: `unknown cache tier "${this.tier}"`, hint: `tiers enabled here: ${all.map((x) => x.name).join(', ')}` });
    return { compiler, tiers: [t] };
  }

  protected out(s: string): void { this.context.stdout.write(`${s}\n`); }
}

export class CacheStatsCommand extends CacheCommand {
  static override paths = [['cache', 'stats']];
  static override usage = FesterCommand.Usage({
    description: 'Entries, blobs and bytes of each cache tier, in stage order',
    examples: [['All tiers', 'fester cache stats'], ['One tier, as JSON', 'fester cache stats --tier tmpfs --json']],
  });

  async run(): Promise<number> {
    const { compiler, tiers } = await this.tiers();
    const rows = [];
    for (const t of tiers) rows.push({ tier: t.name, stage: t.stage, durability: t.durability, location: t.location, ...(await t.stats()) });
    await compiler.close();
    if (this.json) { this.out(JSON.stringify(rows, null, 2)); return 0; }
    for (const r of rows) {
      const limit = r.maxBytes === undefined ? 'no limit' : `limit ${formatSize(r.maxBytes)}`;
      this.out(`${r.tier.padEnd(8)} stage ${String(r.stage).padStart(3)}  ${String(r.entries).padStart(6)} entries  ${String(r.blobs).padStart(6)} blobs  ${formatSize(r.bytes).padStart(10)}  (${limit}, ${r.durability})  ${r.location}`);
    }
    return 0;
  }
}

export class CacheVerifyCommand extends CacheCommand {
  static override paths = [['cache', 'verify']];
  static override usage = FesterCommand.Usage({
    description: 'Re-hash every blob of every tier; delete corrupt blobs and entries and list them',
    details: 'Exit 0 when everything checked, 1 when corrupt items were found (they are deleted already; the actions that need them rebuild).',
    examples: [['Check every tier', 'fester cache verify']],
  });

  async run(): Promise<number> {
    const { compiler, tiers } = await this.tiers();
    const rows = [];
    for (const t of tiers) rows.push({ tier: t.name, ...(await t.verify()) });
    await compiler.close();
    const bad = rows.reduce((n, r) => n + r.corrupt.length, 0);
    if (this.json) this.out(JSON.stringify({ corrupt: bad, tiers: rows }, null, 2));
    else {
      for (const r of rows) {
        this.out(`${r.tier.padEnd(8)} ${r.checkedEntries} entries, ${r.checkedBlobs} blobs checked: ${r.corrupt.length ? `${r.corrupt.length} corrupt, deleted` : 'ok'}`);
        for (const c of r.corrupt) this.out(`  corrupt ${c.key ? `entry ${c.key.slice(0, 12)}… ` : ''}${c.digest ? `blob ${c.digest.slice(0, 12)}… ` : ''}${c.message}`);
      }
    }
    if (!bad) return 0;
    const e = new FesterError('FE0506', { message: `${bad} corrupt cache item${bad === 1 ? '' : 's'} found in ${rows.filter((r) => r.corrupt.length).map((r) => r.tier).join(', ')}` });
    this.context.stderr.write(`${e.format()}\n`);
    return e.exitCode;
  }
}

export class CacheGcCommand extends CacheCommand {
  static override paths = [['cache', 'gc']];
  static override usage = FesterCommand.Usage({
    description: 'Drop least recently used entries until each tier is within its size limit',
    details: 'The limit is --max-size if given, else the tier\'s own (plugin option or festerconfig `cache.<tier>.maxSize`). Blobs no entry refers to go first.',
    examples: [['Shrink the local tier to 1 GiB', 'fester cache gc --tier local --max-size 1G'], ['Enforce the configured limits', 'fester cache gc']],
  });
  maxSize = Option.String('--max-size', { description: 'Size limit, e.g. 512M or 2G' });

  async run(): Promise<number> {
    const max = this.maxSize === undefined ? undefined : parseSize(this.maxSize, '--max-size');
    const { compiler, tiers } = await this.tiers();
    const rows = [];
    for (const t of tiers) rows.push({ tier: t.name, ...(await t.gc(max)) });
    await compiler.close();
    if (this.json) { this.out(JSON.stringify(rows, null, 2)); return 0; }
    for (const r of rows) this.out(`${r.tier.padEnd(8)} removed ${r.removedEntries} entries, ${formatSize(r.removedBytes)}; now ${formatSize(r.bytes)}`);
    return 0;
  }
}
