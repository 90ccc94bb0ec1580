import type { Command } from 'commander';

export function registerMockCommand(program: Command): void {
  program.command('mock').description('Start the local Callbot mock (not yet implemented)').action(() => {
    throw new Error('not implemented yet');
  });
}
