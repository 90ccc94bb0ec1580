import type { Command } from 'commander';

// A usage error (a missing flag, a bad value, an unknown command) is answered with the error,
// the usage line of the command it is about and where the rest is: three lines, not the whole
// help (commander's showHelpAfterError prints every flag, which buries the one line that matters).
//
//   error: required option '--task <userTaskID>' not specified
//   Usage: callbot import [options] <file>
//   See `callbot import --help`.

/** `callbot task create`: the names from the root down to `command`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** The usage line commander would print for `command` (`Usage: callbot import [options] <file>`). */
export function usageLine(command: Command): string {
  return `Usage: ${commandPath(command)} ${command.usage()}`;
}

/** Sets every command of the tree (call it once every verb is registered) to answer usage errors in three lines. */
export function useOneLineUsageErrors(root: Command): void {
  const visit = (command: Command) => {
    command.showHelpAfterError(`${usageLine(command)}\nSee \`${commandPath(command)} --help\`.`);
    for (const sub of command.commands) visit(sub);
  };
  visit(root);
}
