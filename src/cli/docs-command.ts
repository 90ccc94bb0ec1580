import type { Command } from 'commander';

export function registerDocsCommand(program: Command): void {
  program.command('docs').description('(not yet implemented)').action(() => {
    throw new Error('not implemented yet');
  });
}
