import type { ProbeId } from './report.js';
import { answerGzip, answerSchema, answerSignature } from './answer-probes.js';
import type { ProbeContext, ProbeOutcome } from './probe-kit.js';
import { algorithmHeader, createTsWindow, headerCase, requestGzip, signatureBody } from './request-probes.js';

// The named probes, by id (report.ts lists the ids in the report's order). Each varies one
// dimension of a request the vendor accepts (the working form, found first: probe-kit.ts) and
// compares what happens with what the contract says, citing the contract's paragraph. A probe
// sends only reads: ping, and one small page of the list operations; nothing it sends creates,
// changes or starts anything.

export const PROBES: Record<ProbeId, (ctx: ProbeContext) => Promise<ProbeOutcome>> = {
  'header-case': headerCase,
  'algorithm-header': algorithmHeader,
  'signature-body': signatureBody,
  'request-gzip': requestGzip,
  'answer-gzip': answerGzip,
  'createts-window': createTsWindow,
  'answer-schema': answerSchema,
  'answer-signature': answerSignature,
};
