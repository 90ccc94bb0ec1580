import type { Command } from 'commander';

export function registerImportCommand(program: Command): void {
  program.command('import').description('(not yet implemented)').action(() => {
    throw new Error('not implemented yet');
  });
}
