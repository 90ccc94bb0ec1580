/**
 * What the mock says about itself. A tiny interface rather than a logging library: the CLI
 * prints lines, tests pass `silentLogger` (or a recorder) and read nothing from stdout.
 * Nothing that reaches a logger may contain a secret key or a signature base string.
 */
export interface MockLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: MockLogger = { info() {}, warn() {}, error() {} };

export function consoleLogger(prefix = '[callbot-mock]'): MockLogger {
  const line = (message: string) => `${new Date().toISOString()} ${prefix} ${message}`;
  return {
    info: (message) => console.log(line(message)),
    warn: (message) => console.warn(line(message)),
    error: (message) => console.error(line(message)),
  };
}
