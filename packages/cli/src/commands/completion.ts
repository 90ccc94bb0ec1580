import { Argument, type Command } from 'commander';
import { fishScript } from '../completion/fish.js';
import { bashScript, zshScript } from '../completion/posix.js';
import { completionTree } from '../completion/tree.js';
import type { VerbRun } from '../shared/io.js';

// `callbot completion bash|zsh|fish`: a completion script made from the command's own
// definitions. callbot.ts registers every verb on `program` before this one (the registry's
// `allVerbs`), so the tree read here is the whole command: verbs, subcommands, flags, choices.

const INSTALL = {
  bash: 'callbot completion bash > ~/.local/share/bash-completion/completions/callbot',
  zsh: 'callbot completion zsh > ~/.zfunc/_callbot   (with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc)',
  fish: 'callbot completion fish > ~/.config/fish/completions/callbot.fish',
} as const;

type Shell = keyof typeof INSTALL;

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export function registerCompletionCommand(program: Command, run: VerbRun): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish) for callbot: verbs, subcommands and flags')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(Object.keys(INSTALL)))
    .addHelpText(
      'after',
      `
Install (a new shell then completes callbot):
  bash:  ${INSTALL.bash}
         (or, for this shell only: source <(callbot completion bash))
  zsh:   mkdir -p ~/.zfunc && ${INSTALL.zsh}
  fish:  ${INSTALL.fish}
Write it again after upgrading callbot-cli: it is made from the commands' own definitions.

Exit codes:
  0  printed
  1  usage error (no shell, or another than bash, zsh, fish)`,
    )
    .action((shell: Shell) => {
      const tree = completionTree(program);
      // The version callbot.ts gave the program (importing package.json here too would split it out of cli.js into a chunk).
      run.io.stdout.write(SCRIPTS[shell](tree, program.version() ?? '', INSTALL[shell]));
    });
}
