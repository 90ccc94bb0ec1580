import { Command, Option } from 'commander';
import { maskSecret } from '../shared/credentials.js';
import { FileReadError, MAX_SIGN_BODY_BYTES, readBoundedFile, readBoundedStream } from '../shared/bounded-read.js';
import { VERB_EXIT } from '../shared/exit.js';
import { sign, signatureBase, verifySignature, type SignAlgorithm } from 'callbot-contract';
import type { VerbIo, VerbRun } from '../shared/io.js';

// `callbot sign`: the signature debugger, for when the vendor answers retCode 6 (incorrect
// signature). It shows the exact string that is hashed — with the secret masked, so the output
// can be pasted into a ticket — and both signatures, or checks a given one.
//
// The body is taken byte for byte (a file or stdin): the vendor hashes the JSON text exactly
// as sent, so spacing, key order and \u-escapes all change the signature. Only a single
// trailing newline, which editors and `echo` add, is removed unless --keep-newline is given.

interface SignFlags {
  uuid?: string;
  secret?: string;
  createTs: string;
  requestId: string;
  body?: string;
  algorithm: 'MD5' | 'SHA256' | 'both';
  verify?: string;
  keepNewline?: boolean;
  json?: boolean;
}

export function registerSignCommand(program: Command, run: VerbRun): void {
  program
    .command('sign')
    .description('Show the signature base (secret masked) and the MD5/SHA256 signatures of a request; --verify checks one')
    .option('--uuid <uuid>', 'account uuid [env CALLBOT_UUID]')
    .option('--secret <secretKey>', 'secret key [env CALLBOT_SECRET_KEY; prefer the environment]')
    .requiredOption('--create-ts <seconds>', 'the createTs header (Unix seconds, as sent)')
    .requiredOption('--request-id <id>', 'the requestID header')
    .option('--body <file>', 'file holding the exact JSON text sent (default: stdin; at most 64 MiB)')
    .addOption(new Option('--algorithm <alg>', 'which signature(s) to compute').choices(['MD5', 'SHA256', 'both']).default('both'))
    .option('--verify <sign>', 'say whether this signature matches (exit 0 if it does, 2 if not)')
    .option('--keep-newline', 'keep a trailing newline of the body (removed by default)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ CALLBOT_SECRET_KEY=… callbot sign --uuid U --create-ts 1700000000 --request-id R --body body.json
  $ callbot sign --uuid U --create-ts 1700000000 --request-id R --verify EF8C2D64… < body.json

Exit codes: 0 printed (or --verify matched); 1 usage error; 2 --verify did not match.`,
    )
    .action(async (flags: SignFlags) => {
      run.exitCode = await runSign(run.io, flags);
    });
}

function fail(io: VerbIo, message: string): number {
  io.stderr.write(`callbot sign: ${message}\n`);
  return VERB_EXIT.usage;
}

async function runSign(io: VerbIo, flags: SignFlags): Promise<number> {
  const uuid = flags.uuid ?? io.env.CALLBOT_UUID;
  const secretKey = flags.secret ?? io.env.CALLBOT_SECRET_KEY;
  if (!uuid) return fail(io, '--uuid (or CALLBOT_UUID) is required');
  if (!secretKey) return fail(io, '--secret (or CALLBOT_SECRET_KEY) is required');
  if (flags.body === undefined && io.stdin.isTTY) return fail(io, 'give the body with --body FILE or on stdin');
  let bytes: Buffer;
  const fromStdin = flags.body === undefined || flags.body === '-';
  try {
    // At most MAX_SIGN_BODY_BYTES, counted as read; a --body that is a FIFO or device is refused (pipe it to stdin instead).
    bytes = fromStdin ? await readBoundedStream(io.stdin, MAX_SIGN_BODY_BYTES) : readBoundedFile(flags.body!, MAX_SIGN_BODY_BYTES);
  } catch (error) {
    if (error instanceof FileReadError) {
      const pipe = /FIFO|device|socket/.test(error.message) ? ' (to sign what a pipe gives, send it on stdin: --body -)' : '';
      return fail(io, `${fromStdin ? 'stdin' : `--body ${flags.body}`}: ${error.message}${pipe}`);
    }
    return fail(io, `cannot read ${flags.body ?? 'stdin'}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!flags.keepNewline) {
    if (bytes.at(-1) === 0x0a) bytes = bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1);
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    io.stderr.write('warning: the body starts with a UTF-8 BOM; it is part of the signed text\n');

  const input = { secretKey, body: new Uint8Array(bytes), createTs: flags.createTs, requestID: flags.requestId, uuid };
  const algorithms: SignAlgorithm[] = flags.algorithm === 'both' ? ['MD5', 'SHA256'] : [flags.algorithm];
  const signatures = Object.fromEntries(algorithms.map((algorithm) => [algorithm, sign({ ...input, algorithm })])) as Partial<Record<SignAlgorithm, string>>;
  // The base with the secret masked: the secret is always the first field, before "&body=".
  const base = `${maskSecret(secretKey)}${signatureBase(input).slice(secretKey.length)}`;

  let verified: { matches: boolean; algorithm?: SignAlgorithm } | undefined;
  if (flags.verify !== undefined) {
    const match = algorithms.find((algorithm) => verifySignature({ ...input, algorithm, sign: flags.verify! }));
    verified = match ? { matches: true, algorithm: match } : { matches: false };
  }

  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({ signatureBase: base, bodyBytes: bytes.byteLength, ...signatures, ...(verified ? { verify: verified } : {}) }, null, 2)}\n`,
    );
  } else {
    const lines = [
      `signature base (${Buffer.byteLength(signatureBase(input))} bytes, secret masked):`,
      base,
      '',
      ...algorithms.map((algorithm) => `${algorithm.padEnd(6)} ${signatures[algorithm]}`),
    ];
    if (verified) {
      lines.push(
        '',
        verified.matches
          ? `verify: MATCHES (${verified.algorithm})`
          : `verify: DOES NOT MATCH ${flags.verify} (${algorithms.join(' or ')}). Check: the exact body bytes (spacing, key order, \\u-escapes),\n  createTs and requestID as sent, the uuid, the secret key, and the algorithm header.`,
      );
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return verified && !verified.matches ? VERB_EXIT.partial : VERB_EXIT.ok;
}
