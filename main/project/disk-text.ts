// The file as it is on disk right now, and the hash Save compares against to refuse a lost update.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** The hash of a missing file: never equal to the hash of any text. */
export const MISSING = 'missing';

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The file's text and its hash; `text` null when the file does not exist (or is unreadable). */
export async function readDisk(file: string): Promise<{ text: string | null; hash: string }> {
  try {
    const text = await readFile(file, 'utf8');
    return { text, hash: hashText(text) };
  } catch {
    return { text: null, hash: MISSING };
  }
}
