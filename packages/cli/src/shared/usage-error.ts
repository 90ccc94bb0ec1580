// The one base class of usage errors. A module of its own, with no imports: every module that
// throws one loads it, and main.ts's usage-errors.ts (the three-line answer commander gives)
// stays the only module `callbot help` loads besides cli.js.

/**
 * A problem with the command line or the settings, found before anything was sent: every verb
 * exits 1 for it (shared/failure.ts and results/front.ts map it with this one class). Each kind
 * (ConfigError, FilterError, OutputError, …) extends it; its message names the flag, file or field.
 */
export class UsageError extends Error {
  /** Each problem on a line of its own, naming the flag, file or field. */
  readonly problems: readonly string[];
  /** What to do about it. */
  readonly hint: string | undefined;
  constructor(summary: string, problems: readonly string[] = [], hint?: string) {
    super(summary);
    this.problems = problems;
    this.hint = hint;
  }
}
