#!/usr/bin/env node
import { runCli } from './cli.js';

// `fester … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
}

process.exitCode = await runCli(process.argv.slice(2));
