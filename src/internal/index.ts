// `callbot-contract/internal`: Node plumbing shared by callbot-mock and callbot-cli (the
// loopback check that keeps the demo secret and the mock's callbacks on this machine, the JSON
// config reader that never quotes a secret, and the bounded reader of files a user names). Not
// part of the documented API: it may change in any release, in step with those two packages.
export { isLoopbackUrl, loopbackHost } from './loopback.js';
export { invalidJsonProblem, MAX_CONFIG_FILE_BYTES, readJsonObjectFile } from './json-config.js';
export { FileReadError, notARegularFile, openRegularFile, readBoundedFile } from './bounded-read.js';
