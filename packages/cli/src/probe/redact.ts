// The gate every text of the probe passes on its way out — the report file, the summary and
// --json on stdout, the progress lines on stderr: the report is meant to be attached to a bug
// report as it is. The probe never puts the secret key or a signature base into a text itself,
// but it quotes what the vendor sends (retMsg/msg, header values, field names of an answer), and
// a vendor or a debugging proxy may echo the string it signed, which starts with the secret.
// So whatever the vendor sent, a text leaves with
//   - every run of 8 or more characters of the secret key removed (the whole key when it is
//     shorter), in any letter case, also as it reads URL-encoded (%xx, + for space) or
//     JSON-escaped (\uXXXX, \/) — an echo cut short, or cut by the report's length bound, still
//     loses every piece long enough to matter;
//   - anything shaped like a signature base removed: from the word (up to a space or a quote) before the first of
//     `&body=`, `&createTs=`, `&requestID=`, `&uuid=` (the `&` and `=` also URL- or
//     JSON-escaped; without the `&` when two of the names appear) to the end of the last one's
//     value, to the end of the text when that is the body (a body may hold anything).
// What is not caught: an encoding not listed above (base64, hex of the key).

const SECRET_REMOVED = '[secret removed]';
const BASE_REMOVED = '[signature base removed]';

/** The shortest piece of the secret key that is removed wherever it appears. */
export const MIN_SECRET_FRAGMENT = 8;

export type Redact = (text: string) => string;

/** A redactor for texts that may quote the vendor, for the account whose key is `secretKey`. */
export function redactorFor(secretKey: string): Redact {
  const fragments = secretFragments(secretKey);
  return (text) => removeSecretFragments(removeSignatureBases(text), fragments);
}

/** `value` with every string in it (object keys included) passed through `redact`; other values as they are. */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)])) as T;
  }
  return value;
}

// ——— the secret key ———

/** Lower-cases A–Z only: the text keeps its length, so positions found in it hold in the original. */
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (run) => run.toLowerCase());

/** The ways the key can read in an echo: as is, URL-encoded, JSON-escaped. */
function secretForms(secretKey: string): string[] {
  const json = JSON.stringify(secretKey).slice(1, -1);
  const uri = encodeURIComponent(secretKey);
  return [
    secretKey,
    uri,
    uri.replace(/%20/g, '+'),
    encodeURI(secretKey),
    json,
    json.replace(/\//g, '\\/'),
    // Every character as \uXXXX (some encoders escape all of them, or all but ASCII).
    [...secretKey].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  ];
}

/** The pieces to remove, lower-cased, by length: each run of MIN_SECRET_FRAGMENT characters of each form (the whole form when shorter). */
function secretFragments(secretKey: string): Map<number, Set<string>> {
  const byLength = new Map<number, Set<string>>();
  for (const form of new Set(secretForms(secretKey).map(asciiLower))) {
    const length = Math.min(MIN_SECRET_FRAGMENT, form.length);
    if (length === 0) continue;
    const set = byLength.get(length) ?? new Set<string>();
    byLength.set(length, set);
    for (let i = 0; i + length <= form.length; i++) set.add(form.slice(i, i + length));
  }
  return byLength;
}

function removeSecretFragments(text: string, fragments: Map<number, Set<string>>): string {
  const lower = asciiLower(text);
  const spans: [number, number][] = [];
  for (const [length, set] of fragments) {
    for (let i = 0; i + length <= lower.length; i++) if (set.has(lower.slice(i, i + length))) spans.push([i, i + length]);
  }
  return replaceSpans(text, spans, SECRET_REMOVED);
}

// ——— signature bases ———

const NAMES = 'body|createTs|requestID|uuid';
const EQUALS = String.raw`(?:=|%3d|\\u003d)`;
/** `&name=` (escaped or not), or `name=` not preceded by a word character. */
const FIELD = new RegExp(String.raw`(?:&amp;|&|%26|\\u0026)(${NAMES})${EQUALS}|(?<![\w])(${NAMES})${EQUALS}`, 'gi');
/** What comes before the word that leads a base (its secret key). */
const WORD_START = /[\s"']/;
/** Where a field's value ends (other than the body's, which runs to the end of the text). */
const VALUE_END = /[\s"'&<>,;()\\%]/;

function removeSignatureBases(text: string): string {
  const fields = [...text.matchAll(FIELD)];
  if (fields.length === 0) return text;
  const names = new Set(fields.map((m) => (m[1] ?? m[2])!.toLowerCase()));
  const joined = fields.some((m) => m[1] !== undefined);
  if (!joined && names.size < 2) return text;
  let start = fields[0]!.index;
  while (start > 0 && !WORD_START.test(text[start - 1]!)) start--; // the secret key that leads a base
  const last = fields.at(-1)!;
  let end = last.index + last[0].length;
  if ((last[1] ?? last[2])!.toLowerCase() === 'body') end = text.length;
  else while (end < text.length && !VALUE_END.test(text[end]!)) end++;
  return replaceSpans(text, [[start, end]], BASE_REMOVED);
}

/** `text` with each of `spans` (overlapping or not) replaced by one `mark` per merged run. */
function replaceSpans(text: string, spans: [number, number][], mark: string): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let current = [...spans[0]!] as [number, number];
  const flush = () => {
    out += text.slice(at, current[0]) + mark;
    at = current[1];
  };
  for (const [from, to] of spans.slice(1)) {
    if (from <= current[1]) current[1] = Math.max(current[1], to);
    else {
      flush();
      current = [from, to];
    }
  }
  flush();
  return out + text.slice(at);
}
