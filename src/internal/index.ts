// `callbot-contract/internal`: Node plumbing shared by callbot-mock and callbot-cli (the
// loopback check that keeps the demo secret and the mock's callbacks on this machine, and the
// JSON config reader that never quotes a secret). Not part of the documented API: it may change
// in any release, in step with those two packages.
export { isLoopbackUrl, loopbackHost } from './loopback.js';
export { invalidJsonProblem, readJsonObjectFile } from './json-config.js';
