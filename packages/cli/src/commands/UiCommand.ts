import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { apiService, sessionsDir } from '@fester/core';
import { createCompiler } from '../context.js';
import { startApiServer } from '../serve/ApiServer.js';
import { FesterCommand } from './FesterCommand.js';

export class UiCommand extends FesterCommand {
  static override paths = [['ui']];
  static override usage = FesterCommand.Usage({
    description: 'Serve the API, metrics and web UI over the past sessions of one or more projects',
    details: `
      Indexes the session journals of each folder (.fester/sessions/ next to project.yaml, or a
      folder of *.jsonl journals such as a coordinator's <data-dir>/sessions) and serves
      /api/… (docs/api.md) and whatever routes the configured plugins add (/metrics, /ui/…).
      Journals that another process is still writing are followed live. Runs until SIGINT or
      SIGTERM.
    `,
    examples: [
      ['Browse the builds of this project', 'fester ui'],
      ['Two projects on port 9000', 'fester ui --port 9000 ~/src/zlib ~/src/app'],
      ['The sessions of a coordinator', 'fester ui .fester-coordinator/sessions'],
    ],
  });

  dirs = Option.Rest({ name: 'dir' });
  port = Option.String('--port', '8077', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]), description: 'TCP port (0: any free port, printed)' });
  host = Option.String('--host', '127.0.0.1', { description: 'Address to listen on' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.* (default: searched from the first folder)' });

  async run(): Promise<number> {
    const folders = (this.dirs.length ? this.dirs : ['.']).map((d) => journalFolder(resolve(d)));
    const compiler = await createCompiler(join(folders[0]!.project, 'project.yaml'), { config: this.config });
    const api = apiService(compiler)!;
    // This process builds nothing: its own session stays empty; only journals on disk are served.
    api.followOwnSession = false;
    for (const f of folders) api.addSessionDir(f.sessions);
    const server = await startApiServer(compiler, { host: this.host, port: Number(this.port) });
    const sessions = api.index.sessions().length;
    this.context.stdout.write(`fester ui: serving ${server.url} (${sessions} session${sessions === 1 ? '' : 's'} from ${folders.map((f) => f.sessions).join(', ')}; GET / lists the routes)\n`);
    const sig = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', () => done('SIGINT'));
      process.once('SIGTERM', () => done('SIGTERM'));
    });
    await server.close();
    await compiler.close();
    this.context.stdout.write(`fester ui: stopped by ${sig}\n`);
    return 0;
  }
}

/** A project folder (or its project.yaml) → its sessions folder; a folder of journals stands for itself. */
function journalFolder(p: string): { project: string; sessions: string } {
  if (existsSync(p) && statSync(p).isFile()) p = dirname(p);
  if (existsSync(join(p, 'project.yaml')) || existsSync(join(p, '.fester'))) return { project: p, sessions: sessionsDir(p) };
  if (basename(p) === 'sessions' || (existsSync(p) && readdirSync(p).some((f) => f.endsWith('.jsonl')))) return { project: dirname(p), sessions: p };
  return { project: p, sessions: sessionsDir(p) };
}
