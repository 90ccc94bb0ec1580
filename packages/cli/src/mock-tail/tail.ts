import { once } from 'node:events';
import { MOCK_DEFAULT_BASE_URL } from 'callbot-contract';
import { VERB_EXIT } from '../shared/exit.js';
import type { VerbIo } from '../shared/io.js';
import { humanLine } from './format.js';

// `callbot mock tail`: follows the mock's callback log (GET /__mock/callbacks?follow=1, JSON
// Lines) and prints each delivery attempt as it ends. Ends with 0 on Ctrl-C or when the mock says
// it is closing; a mock that cannot be reached (or that does not stream the log) is "not done".

/** The longest line read from the stream: a mock's line is a few KB (its URLs and errors are bounded); past it the line is skipped. */
const MAX_LINE_BYTES = 64 * 1024;

export interface TailFlags {
  baseUrl?: string;
  json?: boolean;
}

const name = 'callbot mock tail';

export async function runMockTail(flags: TailFlags, io: VerbIo): Promise<number> {
  const baseUrl = (flags.baseUrl ?? io.env.CALLBOT_BASE_URL ?? MOCK_DEFAULT_BASE_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${baseUrl}/__mock/callbacks?follow=1`);
  } catch {
    io.stderr.write(`${name}: --base-url ${baseUrl} is not a URL (e.g. http://127.0.0.1:4010)\n`);
    return VERB_EXIT.usage;
  }
  const aborter = new AbortController();
  let interrupted = false;
  const stopListening = io.onInterrupt(() => {
    interrupted = true;
    aborter.abort();
  });
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: aborter.signal, headers: { Accept: 'application/x-ndjson' } });
    } catch (error) {
      if (interrupted) return VERB_EXIT.ok;
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      io.stderr.write(`${name}: no mock answers at ${baseUrl} (${cause}). Start one with \`callbot mock\`, or name its URL with --base-url URL.\n`);
      return VERB_EXIT.notDone;
    }
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !type.startsWith('application/x-ndjson')) {
      const text = (await response.text().catch(() => '')).slice(0, 500);
      const said = /"retMsg"\s*:\s*"([^"]*)"/.exec(text)?.[1];
      const why =
        response.status === 200
          ? 'it does not stream the callback log (an older callbot-mock, or not a mock at all?)'
          : `HTTP ${response.status}${said ? `: ${said}` : ''}`;
      io.stderr.write(`${name}: ${baseUrl}/__mock/callbacks?follow=1 — ${why}. Check --base-url.\n`);
      return VERB_EXIT.notDone;
    }
    io.stderr.write(`${name}: following the callbacks of ${baseUrl} (Ctrl-C ends)\n`);
    const ended = await printLines(response.body, io, Boolean(flags.json));
    if (ended === 'end') {
      io.stderr.write(`${name}: the mock closed\n`);
      return VERB_EXIT.ok;
    }
    if (interrupted) return VERB_EXIT.ok;
    io.stderr.write(`${name}: the stream from ${baseUrl} broke off (the mock stopped?)\n`);
    return VERB_EXIT.notDone;
  } finally {
    stopListening();
  }
}

/** Reads the stream line by line (each at most MAX_LINE_BYTES) and prints each; resolves 'end' on the mock's end line. */
async function printLines(body: ReadableStream<Uint8Array> | null, io: VerbIo, json: boolean): Promise<'end' | 'cut'> {
  if (!body) return 'cut';
  const decoder = new TextDecoder();
  let rest = '';
  let skipping = false;
  const print = async (text: string) => {
    // Waits for a slow stdout: the mock then skips lines for us (and says how many) instead of either side buffering them.
    if (!io.stdout.write(text)) await once(io.stdout, 'drain');
  };
  const reader = body.getReader();
  try {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(chunk, { stream: true });
      let newline = rest.indexOf('\n');
      while (newline >= 0) {
        const line = rest.slice(0, newline);
        rest = rest.slice(newline + 1);
        if (skipping) skipping = false;
        else if (line.trim() !== '') {
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = JSON.parse(line) as Record<string, unknown>;
          } catch {
            parsed = undefined;
          }
          if (parsed?.type === 'end') {
            if (json) await print(`${line}\n`);
            return 'end';
          }
          if (json) {
            if (parsed?.type !== 'heartbeat') await print(`${line}\n`);
          } else if (parsed) {
            const human = humanLine(parsed);
            if (human) await print(`${human}\n`);
          }
        }
        newline = rest.indexOf('\n');
      }
      if (rest.length > MAX_LINE_BYTES) {
        io.stderr.write(`${name}: skipped a line longer than ${MAX_LINE_BYTES} bytes\n`);
        rest = '';
        skipping = true;
      }
    }
  } catch {
    // aborted (Ctrl-C) or the connection broke: the caller tells which
  }
  return 'cut';
}
