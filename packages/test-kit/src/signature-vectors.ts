import { readFileSync } from 'node:fs';
import { fromRoot } from './paths.js';

/** One known-answer signature: the inputs and both digests, as Python's hashlib computed them. */
export interface SignatureVector {
  name: string;
  secretKey: string;
  uuid: string;
  requestID: string;
  createTs: string;
  body: string;
  MD5: string;
  SHA256: string;
}

/** Computed by test/fixtures/make_signature_vectors.py (each also checked with `openssl dgst`), never by the code under test. */
export const signatureVectors: SignatureVector[] = JSON.parse(readFileSync(fromRoot('test/fixtures/signature-vectors.json'), 'utf8'));
