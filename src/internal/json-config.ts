import { FileReadError, readBoundedFile } from './bounded-read.js';

/** The largest config file read (`--config`): far more than any real one, and a bound on /dev/zero. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

// Why a JSON config file did not parse, without quoting it. V8's SyntaxError messages quote
// the text around the fault (`..."ecretKey":u7Mf3zUNOk"...`), and in a config file that text is
// often a secret key: only the position is passed on, when V8 gives one.

/** `is not valid JSON (at position 12)` for a JSON.parse SyntaxError; undefined for any other error. */
export function invalidJsonProblem(error: unknown): string | undefined {
  if (!(error instanceof SyntaxError)) return undefined;
  const at = /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(error.message);
  if (!at) return 'is not valid JSON';
  return `is not valid JSON (at position ${at[1]}${at[2] ? `, line ${at[2]} column ${at[3]}` : ''})`;
}

/**
 * Reads `--config FILE` as a JSON object, or returns the problem as one line that names the
 * file and never quotes its text. Callers wrap the line in their own error type. Only a regular
 * file of at most MAX_CONFIG_FILE_BYTES is read (bounded-read.ts): a device or FIFO is refused.
 */
export function readJsonObjectFile(file: string): { object: Record<string, unknown> } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readBoundedFile(file, MAX_CONFIG_FILE_BYTES).toString('utf8'));
  } catch (error) {
    if (error instanceof FileReadError) return { problem: `--config ${file}: ${error.message}` };
    const invalid = invalidJsonProblem(error);
    return { problem: invalid ? `--config ${file} ${invalid}` : `--config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: `--config ${file}: expected a JSON object` };
  return { object: parsed as Record<string, unknown> };
}
