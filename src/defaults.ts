import type { SignAlgorithm } from './sign.js';

/** Where `npm start` serves the mock, and where the `callbot` command sends by default. */
export const MOCK_DEFAULT_HOST = '127.0.0.1';
export const MOCK_DEFAULT_PORT = 4010;
export const MOCK_DEFAULT_BASE_URL = `http://${MOCK_DEFAULT_HOST}:${MOCK_DEFAULT_PORT}`;
export const PRODUCTION_BASE_URL = 'https://nxbot.nxcloud.com';
export const IMPORT_BATCH_CALL_PATH = '/callcentre/api/v3/importBatchCall';

/**
 * The mock's demo account. Public on purpose: it only opens the local mock, and it lets
 * `npm start` and `callbot import` work out of the box.
 */
export const DEMO_ACCOUNT: Readonly<{ uuid: string; secretKey: string; algorithm: SignAlgorithm }> = Object.freeze({
  uuid: 'demo-0000-callbot-mock',
  secretKey: 'demo-secret-for-the-local-mock-only',
  algorithm: 'MD5',
});
