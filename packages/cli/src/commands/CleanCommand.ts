import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Option } from 'clipanion';
import { loadProject } from '@fester/core';
import { resolveProjectFile } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

export class CleanCommand extends FesterCommand {
  static override paths = [['clean']];
  static override usage = FesterCommand.Usage({
    description: 'Remove the out dir (and with --journal, the session journals); the cache is kept',
    examples: [['Remove build outputs', 'fester clean']],
  });

  project = Option.String({ required: false, name: 'project.yaml' });
  journal = Option.Boolean('--journal', false, { description: 'Also remove <root>/.fester (journals)' });

  async run(): Promise<number> {
    const src = loadProject(resolveProjectFile(this.project));
    const out = join(src.root, src.out);
    rmSync(out, { recursive: true, force: true });
    this.context.stdout.write(`removed ${relative(process.cwd(), out) || out}\n`);
    if (this.journal) {
      const dir = join(src.root, '.fester');
      rmSync(dir, { recursive: true, force: true });
      this.context.stdout.write(`removed ${relative(process.cwd(), dir) || dir}\n`);
    }
    return 0;
  }
}
