import type { Command } from 'commander';

export function registerSignCommand(program: Command): void {
  program.command('sign').description('(not yet implemented)').action(() => {
    throw new Error('not implemented yet');
  });
}
