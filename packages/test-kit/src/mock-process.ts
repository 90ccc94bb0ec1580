import { spawn, type ChildProcess } from 'node:child_process';
import { fromRoot } from './paths.js';

export interface MockProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL if it has not exited after 5 s. Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Everything the process printed so far (stdout and stderr, interleaved). */
  output(): string;
  child: ChildProcess;
}

const LISTENING = /Callbot mock listening on (http:\/\/\S+)/;

/**
 * Starts the built mock (`node packages/mock/dist/bin.js --port 0 --host 127.0.0.1 …args`) as a real
 * process and resolves once it prints the URL it listens on. dist/ is built by
 * test/global-setup.ts (or `npm run build`).
 */
export function startMockProcess(args: string[] = [], { timeoutMs = 20_000 } = {}): Promise<MockProcess> {
  const child = spawn(process.execPath, [fromRoot('packages', 'mock', 'dist', 'bin.js'), '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd: fromRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the mock did not start within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        const url = match[1];
        resolve({ url, port: Number(new URL(url).port), stop, output: () => output, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the mock exited with code ${code} before listening; output:\n${output}`));
    });
  });
}
