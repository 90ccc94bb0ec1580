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
