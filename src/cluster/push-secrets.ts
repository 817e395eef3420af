// Secrets inside a v2 push travel sealed (AES-256-GCM, key from HKDF over the receiving follower's
// secret). The context binds each value to its field, owner and receiver, so a sealed value cannot be
// moved to another field or replayed to another node.
import type { ClusterState } from '../model.js';
import { isSealed, open, seal, sealContext, SealError } from '../security/index.js';

const nodeCtx = (receiver: string, owner: string) => sealContext('otherCocoaSyncer.cocoaSecret', receiver, owner);
const cloudCtx = (receiver: string, owner: string) => sealContext('cloudPlatformInfo.accessSecret', receiver, owner);
const notifierCtx = (field: 'url' | 'secret', receiver: string, owner: string) => sealContext(`notifiers.${field}`, receiver, owner);

/** Names a cloud account in a seal context: provider and access key id. */
export const accountOwner = (provider: string, accessKey: string) => `${provider}/${accessKey}`;

/** Seals the secret of `owner` for the follower `receiver` (whose secret is `receiverSecret`). */
export function sealNodeSecret(value: string, receiverSecret: string, receiver: string, owner: string): string {
  return seal(value, receiverSecret, nodeCtx(receiver, owner));
}

export function sealAccessSecret(value: string, receiverSecret: string, receiver: string, owner: string): string {
  return seal(value, receiverSecret, cloudCtx(receiver, owner));
}

/** Seals a notifier's webhook URL or signing secret (`field`) of notifier `owner` for the follower `receiver`. */
export function sealNotifierField(value: string, field: 'url' | 'secret', receiverSecret: string, receiver: string, owner: string): string {
  return seal(value, receiverSecret, notifierCtx(field, receiver, owner));
}

/** Opens a node secret sealed with sealNodeSecret for this node (`receiver`); throws SealError if it does not open. */
export function openNodeSecret(sealed: string, receiverSecret: string, receiver: string, owner: string): string {
  return open(sealed, receiverSecret, nodeCtx(receiver, owner));
}

export type OpenResult = { ok: true; state: ClusterState } | { ok: false; field: string };

/** Opens every sealed secret of a pushed state with this node's secret; all of them, or none. */
export function openPushSecrets(state: ClusterState, ownSecret: string, ownCode: string): OpenResult {
  try {
    const nodes = state.nodes.map((n, i) => ({ ...n, secret: openField(n.secret, ownSecret, nodeCtx(ownCode, n.nodeCode), `otherCocoaSyncer.${i}.cocoaSecret`) }));
    const cloudAccounts = state.cloudAccounts.map((a, i) => ({
      ...a,
      accessSecret: openField(a.accessSecret, ownSecret, cloudCtx(ownCode, accountOwner(a.platformProvider, a.accessKey)), `cloudPlatformInfo.${i}.accessSecret`),
    }));
    const notifiers = state.notifiers.map((n, i) => ({
      ...n,
      url: openField(n.url, ownSecret, notifierCtx('url', ownCode, n.name), `notifiers.${i}.url`),
      secret: n.secret === null ? null : openField(n.secret, ownSecret, notifierCtx('secret', ownCode, n.name), `notifiers.${i}.secret`),
    }));
    return { ok: true, state: { ...state, nodes, cloudAccounts, notifiers } };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, field: err.field };
    throw err;
  }
}

class FieldError extends Error {
  constructor(readonly field: string) {
    super(`${field} does not open`);
  }
}

function openField(value: string, secret: string, context: string, field: string): string {
  // A v2 push never carries a clear secret: one that is not sealed is refused like a forged one.
  if (!isSealed(value)) throw new FieldError(field);
  try {
    return open(value, secret, context);
  } catch (err) {
    if (err instanceof SealError) throw new FieldError(field);
    throw err;
  }
}
