import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Option } from 'clipanion';
import { loadProject } from '@fester/core';
import { resolveProjectFile } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

export class CleanCommand extends FesterCommand {
  static override paths = [['clean']];
  static override usage = FesterCommand.Usage({
    description: 'Remove the out dir (and with --journal, the session journals next to project.yaml); the cache is kept',
    examples: [['Remove build outputs', 'fester clean']],
  });

  project = Option.String({ required: false, name: 'project.yaml' });
  journal = Option.Boolean('--journal', false, { description: 'Also remove .fester/ next to project.yaml (journals, parse cache)' });

  async run(): Promise<number> {
    const file = resolveProjectFile(this.project);
    const src = loadProject(file);
    const out = join(src.root, src.out);
    rmSync(out, { recursive: true, force: true });
    this.context.stdout.write(`removed ${relative(process.cwd(), out) || out}\n`);
    if (this.journal) {
      const dir = join(dirname(file), '.fester');
      rmSync(dir, { recursive: true, force: true });
      this.context.stdout.write(`removed ${relative(process.cwd(), dir) || dir}\n`);
    }
    return 0;
  }
}
