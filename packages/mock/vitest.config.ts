import { defineProject } from 'vitest/config';
import { sharedTestOptions } from '../../test/vitest.shared.js';

export default defineProject({
  test: { ...sharedTestOptions, name: 'callbot-mock', include: ['test/**/*.test.ts'] },
});
