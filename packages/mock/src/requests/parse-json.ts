import { RetCodes } from 'callbot-contract';
import { refuse, type Refusal } from './refusals.js';

export type ParseResult = { ok: true; value: Record<string, unknown> } | { ok: false; refusal: Refusal };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * How deep the JSON text nests, stopping as soon as it passes `limit`. A scan of the text
 * (strings skipped) rather than a walk of the parsed value: the refusal must come before
 * anything recursive (the validator, a logger's serializer) sees a million-deep array.
 */
export function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

/** The (signature-checked) body bytes as a JSON object, or the refusal that says why not. */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): ParseResult {
  if (bytes.length === 0) return { ok: false, refusal: refuse(RetCodes.MissingParameter.code, 'request body is empty') };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, refusal: refuse(RetCodes.ParameterFormatError.code, 'request body is not valid UTF-8') };
  }
  if (exceedsDepth(text, maxDepth)) return { ok: false, refusal: refuse(RetCodes.ParameterFormatError.code, `JSON nested deeper than ${maxDepth} levels`) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, refusal: refuse(RetCodes.ParameterFormatError.code, `request body is not JSON (${(error as Error).message.slice(0, 120)})`) };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, refusal: refuse(RetCodes.ParameterFormatError.code, 'request body must be a JSON object') };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
