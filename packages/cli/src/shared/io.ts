// The process around a verb: its streams and environment. Actions take one (tests pass their
// own); `processIo()` is the real one.

export interface TextSink {
  write(text: string): unknown;
}

export interface VerbIo {
  stdout: TextSink;
  stderr: TextSink;
  /** stderr is a terminal: progress lines that redraw themselves are welcome there. */
  stderrIsTerminal: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export const processIo = (): VerbIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTerminal: Boolean(process.stderr.isTTY),
  env: process.env,
});

/** `--json`: one JSON document on stdout, and nothing else there. */
export function printJson(io: VerbIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
