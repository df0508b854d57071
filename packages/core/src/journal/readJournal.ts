import { readFileSync } from 'node:fs';
import type { FesterEvent } from './events.js';

export interface JournalRead {
  events: FesterEvent[];
  /** True when the last line was cut short (a crash mid-write); everything before it is kept. */
  torn: boolean;
  /** 1-based line numbers of lines that were not valid JSON anywhere but at the end. */
  badLines: number[];
}

/** Read a session journal, tolerating a torn last line. */
export function readJournal(path: string): JournalRead {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const events: FesterEvent[] = [];
  const badLines: number[] = [];
  let torn = false;
  // A well-formed file ends with '\n', so the last element is ''; anything else there is torn.
  const lastIndex = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    try {
      events.push(JSON.parse(line) as FesterEvent);
    } catch {
      if (i === lastIndex) torn = true;
      else badLines.push(i + 1);
    }
  }
  return { events, torn, badLines };
}
