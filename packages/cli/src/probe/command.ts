import { resolve } from 'node:path';
import { type ApiConnectionSettings, ConfigError, resolveApiConnection } from '../shared/credentials.js';
import { INTERRUPTED_EXIT, VERB_EXIT } from '../shared/exit.js';
import type { VerbIo } from '../shared/io.js';
import { summaryText } from './report.js';
import { runProbes, writeReport } from './run.js';

// The front of `callbot probe`: credentials (as `callbot import` resolves them), Ctrl-C, the
// report file, the summary and the exit code. The run itself is in run.ts.

/** The flags of `callbot probe`, as commander parses them (commands/probe.ts declares them). */
export interface ProbeFlags {
  baseUrl?: string;
  uuid?: string;
  secret?: string;
  algorithm?: string;
  config?: string;
  task?: string;
  out: string;
  json?: boolean;
  maxRequests: number;
  intervalMs: number;
  timeoutMs: number;
  probeTimeoutMs: number;
}

/** `version`: callbot-cli's, written into the report. */
export async function probeCommand(io: VerbIo, flags: ProbeFlags, version: string): Promise<number> {
  let connection: ApiConnectionSettings;
  try {
    // The probe sends nothing that carries a callback URL.
    connection = resolveApiConnection(flags, io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`callbot probe: ${error.message}\n`);
      return VERB_EXIT.usage;
    }
    throw error;
  }
  if (connection.credentialsWarning) io.stderr.write(`warning: ${connection.credentialsWarning}\n`);
  const out = resolve(flags.out);

  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) io.exitNow(INTERRUPTED_EXIT.SIGINT); // a second Ctrl-C: now
    io.stderr.write('interrupted: writing the partial report (Ctrl-C again to quit at once)\n');
    interrupt.abort(new Error('interrupted'));
  };
  const stopListening = io.onInterrupt(onSignal, ['SIGINT']);
  try {
    io.stderr.write(`probing ${connection.baseUrl} as ${connection.usingDemoAccount ? "the mock's demo account" : `uuid from ${connection.uuidFrom}`}\n`);
    const report = await runProbes({
      baseUrl: connection.baseUrl,
      uuid: connection.uuid,
      secretKey: connection.secretKey,
      algorithm: connection.algorithm,
      credentialsFrom: connection.usingDemoAccount ? 'demo account' : connection.uuidFrom,
      ...(flags.task ? { task: flags.task } : {}),
      maxRequests: flags.maxRequests,
      intervalMs: flags.intervalMs,
      timeoutMs: flags.timeoutMs,
      probeTimeoutMs: flags.probeTimeoutMs,
      signal: interrupt.signal,
      onProgress: (line) => io.stderr.write(`${line}\n`),
      version,
    });
    writeReport(out, report);
    io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : summaryText(report, out));
    if (report.interrupted) return INTERRUPTED_EXIT.SIGINT;
    if (!report.workingForm) return VERB_EXIT.notDone;
    return report.counts.differs > 0 ? VERB_EXIT.partial : VERB_EXIT.ok;
  } finally {
    stopListening();
  }
}
