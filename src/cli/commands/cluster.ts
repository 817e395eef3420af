// Cluster membership: `join` (on the leader), `quit` (a follower leaves, or the leader removes
// one), `promote` (this follower becomes the leader).
import type { Command } from 'commander';
import * as arg from '../args.js';
import { fromStdinIfDash, required } from '../prompt.js';
import { api } from '../../api/contract.js';
import { pastedSecretSchema } from '../../schemas.js';
import { usageError, type FieldNames } from '../output.js';
import { adminCommand, versionNote } from './common.js';
import { describeNode, removeNode } from './node.js';

const JOIN_FIELDS: FieldNames = { address: '<nodeAddress>', secret: '--secret', isps: '--isps', networkType: '--network', nodeCode: 'the joining node\'s NodeCode' };

export function registerCluster(program: Command): void {
  adminCommand<{ secret?: string; isps?: string; network?: string }, [string | undefined]>(
    program
      .command('join')
      .argument('[nodeAddress]', 'URL of the node to add, as peers reach it (its NodeAddress)')
      .description('add a node to this cluster (run on the leader); the node must not be in a cluster yet')
      .option('--secret <secret>', 'the joining node\'s CocoaSecret ("-" reads it from stdin; asked without echo on a terminal)')
      .option('--isps <lines>', 'lines it serves, comma-separated (default: what the node reports): default, CT, CU, CMCC, CNEdu, OverSea, None')
      .option('--network <type>', 'IPV4, IPV6 or Both (default: what the node reports)')
      .addHelpText('after', '\nExample:\n  cocoasyncer join http://10.0.0.2:44443 --secret "$OFFICE_SECRET" --isps CMCC --network IPV4'),
    async ({ out, client }, o, address) => {
      out.addSecret(o.secret);
      const addr = arg.nodeAddress(await required(address, '<nodeAddress>', 'Address of the node to join (http://host:port)'), '<nodeAddress>');
      const isps = o.isps !== undefined ? arg.isps(o.isps) : undefined;
      const networkType = o.network !== undefined ? arg.networkType(o.network) : undefined;
      const secret = arg.check(pastedSecretSchema, await required(await fromStdinIfDash(o.secret, '--secret'), '--secret', `CocoaSecret of ${addr}`, { secret: true }), '--secret');
      out.addSecret(secret);
      // A 401 naming `secret` is the joining node refusing it, not the CLI's own credentials (output.ts).
      const reply = await client().call(api.join, { body: { address: addr, secret, ...(isps ? { isps } : {}), ...(networkType ? { networkType } : {}) } });
      out.result(reply, () =>
        [
          `joined ${reply.joined.nodeCode}: ${describeNode(reply.joined)}${versionNote(reply.stateVersion)}`,
          ...(reply.restored?.length ? [`restored the lines it handed over when it quit: ${reply.restored.map((r) => `${r.line} (from ${r.from})`).join(', ')}`] : []),
        ].join('\n'),
      );
    },
    { fields: JOIN_FIELDS, secretIsPeer: true },
  );

  adminCommand<{ force?: boolean }, [string | undefined]>(
    program
      .command('quit')
      .argument('[nodeCode]', 'on the leader: the follower to remove (same as "node remove")')
      .description('leave the cluster (on a follower), or remove a follower (on the leader: quit <nodeCode>)')
      .option('--force', 'on a follower: leave even if the leader cannot be told')
      .addHelpText(
        'after',
        '\nOn a follower, "quit" tells the leader, which hands this node\'s lines to the remaining nodes;\n' +
          'the node then serves no cluster line until it is joined again. On the leader, "quit <nodeCode>"\n' +
          'removes that follower and prints the hand-off.',
      ),
    async (ctx, o, code) => {
      if (code !== undefined) {
        if (o.force) throw usageError('--force applies to "quit" on a follower, not to removing a node');
        await removeNode(ctx, arg.nodeCode(code, '<nodeCode>'));
        return;
      }
      const reply = await ctx.client().call(api.quit, { body: { force: o.force === true } });
      ctx.out.result(reply, () =>
        reply.leaderTold
          ? 'left the cluster: the leader handed this node\'s lines over until it is joined again (then they return to it)'
          : `left the cluster without telling the leader (${reply.error ?? 'no answer'}); remove this node there with "cocoasyncer quit <nodeCode>"`,
      );
    },
    { fields: { nodeCode: '<nodeCode>' } },
  );

  adminCommand(
    program
      .command('promote')
      .description('make this follower the cluster\'s leader; the old leader, if it answers, steps down to follower'),
    async ({ out, client }) => {
      const reply = await client().call(api.promote);
      out.result(reply, () => {
        const old = reply.oldLeader ?? 'none known';
        const told = reply.oldLeaderTold ? 'stepped down to follower' : `could not be told (${reply.error ?? 'no answer'}); it learns when it returns`;
        return `this node is the leader now${versionNote(reply.stateVersion)}; old leader ${old} ${told}`;
      });
    },
  );
}
