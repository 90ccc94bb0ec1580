import { DEMO_ACCOUNT } from 'callbot-contract';
import { isSignAlgorithm, type SignAlgorithm } from 'callbot-contract';

/** An account the mock knows: what the vendor console shows under 后台 → 开发者. */
export interface MockAccount {
  uuid: string;
  secretKey: string;
  /** The console's algorithm setting: used to sign callbacks (they carry no `algorithm` header). */
  algorithm: SignAlgorithm;
}

export class AccountStore {
  readonly #byUuid = new Map<string, MockAccount>();

  constructor(accounts: Iterable<MockAccount>) {
    for (const account of accounts) this.add(account);
  }

  add(account: MockAccount): void {
    if (!account.uuid || !account.secretKey) throw new TypeError('an account needs a uuid and a secretKey');
    if (!isSignAlgorithm(account.algorithm)) throw new TypeError(`account ${account.uuid}: algorithm must be MD5 or SHA256`);
    this.#byUuid.set(account.uuid, { ...account });
  }

  get(uuid: string | undefined): MockAccount | undefined {
    return uuid === undefined ? undefined : this.#byUuid.get(uuid);
  }

  get size(): number {
    return this.#byUuid.size;
  }
}

export const demoAccount = (): MockAccount => ({ ...DEMO_ACCOUNT });

/**
 * `UUID:SECRET[:ALGORITHM]` (the `--account` flag). The secret may itself contain colons only
 * if an algorithm is given last; errors never repeat the secret.
 */
export function parseAccountSpec(spec: string): MockAccount {
  const parts = spec.split(':');
  const last = parts[parts.length - 1];
  let algorithm: SignAlgorithm = 'MD5';
  if (parts.length >= 3 && last !== undefined && isSignAlgorithm(last)) {
    algorithm = last;
    parts.pop();
  } else if (parts.length >= 3 && last !== undefined && /^(md5|sha256)$/i.test(last)) {
    throw new TypeError(`--account: the algorithm must be spelled MD5 or SHA256`);
  }
  const [uuid, ...secretParts] = parts;
  const secretKey = secretParts.join(':');
  if (!uuid || !secretKey) throw new TypeError('--account must look like UUID:SECRET or UUID:SECRET:MD5|SHA256');
  return { uuid, secretKey, algorithm };
}
