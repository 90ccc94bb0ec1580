// Preloaded with `node --import` (NODE_OPTIONS) by test/help.test.ts: registers module hooks that
// append the URL of every module the process imports to the file named by
// CALLBOT_TEST_LOADED_MODULES, so a test can tell which modules `callbot --help` loads.
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url);
