// How secrets are kept at rest. With `CredentialKey` set, node secrets and cloud access secrets are
// sealed (AES-256-GCM) in the database; values written before the key was set stay readable and are
// sealed on the next write. Without a key they are stored as given, and a database that holds sealed
// values refuses to load rather than hand out ciphertext as a secret.
import { CredentialKey, isSealedAtRest, openAtRest, sealAtRest } from '../security/index.js';
import type { SecretCodec } from './index.js';

export function secretCodec(credentialKey: string | null): SecretCodec {
  if (!credentialKey) {
    return {
      encode: (s) => s,
      decode: (s) => {
        if (isSealedAtRest(s)) throw new Error('the database holds encrypted secrets: set CredentialKey (or COCOASYNCER_CREDENTIAL_KEY) to the key they were written with');
        return s;
      },
    };
  }
  const key = CredentialKey.fromConfig(credentialKey);
  return {
    encode: (s) => sealAtRest(s, key),
    decode: (s) => openAtRest(s, key),
  };
}
