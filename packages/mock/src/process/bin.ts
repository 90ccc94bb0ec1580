#!/usr/bin/env node
// `callbot-mock`: the local Callbot v3 mock as a command (see cli.ts for the flags).
import { createMockCommand } from './cli.js';

await createMockCommand().parseAsync(process.argv);
