import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The local issuer's signing key: RS256, named by a `kid` (its JWK thumbprint). */
export interface IssuerKey {
  kid: string;
  alg: 'RS256';
  privateKey: KeyLike;
  /** The public half as it appears in the JWKS (`kty`, `n`, `e`, `kid`, `alg`, `use`). */
  publicJwk: JWK;
}

/** Where the key is kept when persistence is on: beside the emulators' data. */
export const issuerKeyFile = (dataDir: string): string => join(dataDir, 'issuer', 'key.json');

async function fromPrivateJwk(privateJwk: JWK): Promise<IssuerKey> {
  const { kty, n, e } = privateJwk;
  if (kty !== 'RSA' || !n || !e || !privateJwk.d) throw new Error('not an RSA private key');
  const publicPart: JWK = { kty, n, e };
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = (await importJWK(privateJwk, 'RS256')) as KeyLike;
  return { kid, alg: 'RS256', privateKey, publicJwk: { ...publicPart, kid, alg: 'RS256', use: 'sig' } };
}

/** A new 2048-bit RS256 key pair. */
export async function generateIssuerKey(): Promise<{ key: IssuerKey; privateJwk: JWK }> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  return { key: await fromPrivateJwk(privateJwk), privateJwk };
}

/**
 * The issuer's key: with a data folder, the one kept there (so tokens signed before a restart stay
 * valid), or a new one written there (mode 0600, atomically); without one, a new key for this run only.
 * A kept file that is not a usable key is an error, not silently replaced.
 */
export async function loadOrCreateIssuerKey(dataDir: string | undefined): Promise<IssuerKey> {
  if (dataDir === undefined) return (await generateIssuerKey()).key;
  const file = issuerKeyFile(dataDir);
  let kept: string | undefined;
  try {
    kept = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kept !== undefined) {
    try {
      return await fromPrivateJwk(JSON.parse(kept) as JWK);
    } catch (error) {
      throw new Error(
        `${file} is not the local issuer's key (${(error as Error).message}): remove it to get a new one`,
        { cause: error },
      );
    }
  }
  const { key, privateJwk } = await generateIssuerKey();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return key;
}
