import { createRequire } from 'node:module';

// cli-progress (CommonJS) is loaded only when bars are drawn, on a terminal: piped and --json
// runs, scripts and CI, never pay for loading it.
const load = createRequire(import.meta.url);
const barsLibrary = (): typeof import('cli-progress') => load('cli-progress');

// How the `callbot import` front draws the engine's progress (reading, validating, sending). On
// a terminal: cli-progress bars and a countdown that ticks each second, on stderr. Otherwise
// (stdout redirected, or --json): plain lines, one when a step starts and one when it ends, so
// logs stay readable. Everything goes to stderr: stdout holds only the summary (or the --json
// document).

export interface Step {
  /** `value` out of the step's total, with a short note shown after the bar (e.g. "5000 rows"). */
  update(value: number, note?: string): void;
  /** Ends the step with a one-line result. */
  done(result: string): void;
}

export interface Progress {
  step(label: string, total?: number): Step;
  /** A line of its own (a notice, a warning). */
  line(text: string): void;
  /** "…retrying in Ns": ticks each second on a terminal; a single line otherwise. */
  countdown(render: (secondsLeft: number) => string, ms: number): void;
  stop(): void;
}

/** Where text goes: process.stderr, or anything with `write` (tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** `interactive` (bars, a ticking countdown) needs `stream` to be a terminal's stream. */
export function createProgress(options: { interactive: boolean; stream: TextSink }): Progress {
  return options.interactive ? terminalProgress(options.stream as NodeJS.WriteStream) : plainProgress(options.stream);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

function plainProgress(stream: TextSink): Progress {
  return {
    step(label) {
      const started = Date.now();
      stream.write(`${label}…\n`);
      return {
        update() {},
        done: (result) => {
          stream.write(`  ${result} (${seconds(Date.now() - started)})\n`);
        },
      };
    },
    line: (text) => {
      stream.write(`${text}\n`);
    },
    countdown: (render, ms) => {
      stream.write(`${render(Math.ceil(ms / 1000))}\n`);
    },
    stop() {},
  };
}

function terminalProgress(stream: NodeJS.WriteStream): Progress {
  let timer: NodeJS.Timeout | undefined;
  const clearCountdown = () => {
    if (timer) {
      clearInterval(timer);
      timer = undefined;
      stream.write('\r\x1b[2K');
    }
  };
  return {
    step(label, total) {
      clearCountdown();
      const started = Date.now();
      if (total === undefined) {
        stream.write(`${label}…`);
        return {
          update() {},
          done: (result) => {
            stream.write(`\r\x1b[2K${label}: ${result} (${seconds(Date.now() - started)})\n`);
          },
        };
      }
      const bar = new (barsLibrary().SingleBar)(
        {
          stream,
          format: `${label} [{bar}] {percentage}% | {note}`,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
        },
        barsLibrary().Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0, { note: '' });
      return {
        update: (value, note = '') => bar.update(Math.min(value, Math.max(total, 1)), { note }),
        done: (result) => {
          bar.stop();
          stream.write(`${label}: ${result} (${seconds(Date.now() - started)})\n`);
        },
      };
    },
    line: (text) => {
      clearCountdown();
      stream.write(`${text}\n`);
    },
    countdown(render, ms) {
      clearCountdown();
      const until = Date.now() + ms;
      const draw = () => stream.write(`\r\x1b[2K${render(Math.max(0, Math.ceil((until - Date.now()) / 1000)))}`);
      draw();
      timer = setInterval(() => (Date.now() >= until ? clearCountdown() : draw()), 1000);
      timer.unref();
    },
    stop: clearCountdown,
  };
}
