import type { Command } from 'commander';

// What a shell needs to complete `callbot`, read from the commands' own commander definitions
// (every verb registered, as `callbot VERB` would register it): nothing here is a hand-kept list,
// so a new verb, subcommand or flag is completed the day it is added.

/** What the word after an option, or a positional word, is. */
export type ValueKind = { kind: 'file' } | { kind: 'choices'; choices: string[] } | { kind: 'any' };

export interface CompletedOption {
  /** `--base-url`, and `-h` when it has a short form. */
  long: string | undefined;
  short: string | undefined;
  description: string;
  /** Undefined: a switch (no value). */
  value: ValueKind | undefined;
}

export interface CompletedCommand {
  /** Its words after `callbot` ('' for `callbot` itself, `task create` for a subcommand). */
  path: string;
  description: string;
  options: CompletedOption[];
  subcommands: CompletedCommand[];
  /** Its positional words, when it takes any. */
  positional: ValueKind | undefined;
}

/** A word a shell script may carry unquoted in a word list: verbs, flags, simple choices. */
const SAFE_WORD = /^[A-Za-z0-9_.:+@%/=-]+$/;

/** A file by its placeholder or name: `<file>`, `<path>`, `<file|url>`, `<dir>`, `<file>` arguments. */
const FILE_WORD = /file|path|dir/i;

function valueOf(placeholder: string, choices: readonly string[] | undefined): ValueKind {
  const safe = (choices ?? []).filter((choice) => SAFE_WORD.test(choice));
  if (safe.length > 0) return { kind: 'choices', choices: safe };
  return FILE_WORD.test(placeholder) ? { kind: 'file' } : { kind: 'any' };
}

/** One line of a description, without the characters a shell's quoting would have to care about. */
export const oneLine = (text: string, max = 80): string => {
  const line = text
    .split('\n')[0]!
    .replace(/[^\x20-\x7e\u00a0-\uffff]/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export function completionTree(command: Command, path = ''): CompletedCommand {
  const help = command.createHelp();
  const options: CompletedOption[] = help.visibleOptions(command).map((option) => ({
    long: option.long && SAFE_WORD.test(option.long) ? option.long : undefined,
    short: option.short && SAFE_WORD.test(option.short) ? option.short : undefined,
    description: oneLine(option.description),
    value: option.required || option.optional ? valueOf(option.flags, option.argChoices) : undefined,
  }));
  const argument = command.registeredArguments[0];
  return {
    path,
    description: oneLine(command.description()),
    options,
    subcommands: command.commands.filter((sub) => SAFE_WORD.test(sub.name())).map((sub) => completionTree(sub, path ? `${path} ${sub.name()}` : sub.name())),
    positional: argument ? valueOf(argument.name(), argument.argChoices) : undefined,
  };
}

/** Every command of the tree, the root first. */
export function allCommands(tree: CompletedCommand): CompletedCommand[] {
  return [tree, ...tree.subcommands.flatMap(allCommands)];
}
