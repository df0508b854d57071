import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';

/** Piscina task: sha256 of one (large) file, streamed so memory stays flat. */
export default function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
