// `cocoasyncer node list|set|remove`: the cluster's nodes, edited on the leader.
import type { Command } from 'commander';
import { api, type PublicNode, type RemoveNodeReply } from '../../api/contract.js';
import * as arg from '../args.js';
import { duration, table, usageError, type FieldNames } from '../output.js';
import { required } from '../prompt.js';
import { adminCommand, versionNote, type AdminContext } from './common.js';

const NODE_FIELDS: FieldNames = { address: '--address', isps: '--isps', networkType: '--network', name: '--name', nodeCode: '<code>' };

export function registerNode(program: Command): void {
  const node = program.command('node').description('list and edit the cluster\'s nodes (edits on the leader)');

  adminCommand(node.command('list').alias('ls').description('the nodes, their lines and whether they are up'), async ({ out, client }) => {
    const reply = await client().call(api.listNodes);
    out.result(reply, () =>
      table(
        ['CODE', 'NAME', 'ADDRESS', 'MODE', 'LINES', 'NETWORK', 'STATUS', 'WATCHDOG'],
        reply.nodes.map((n) => [
          `${n.self ? '*' : ' '} ${n.nodeCode}`,
          n.nodeName,
          n.nodeAddress,
          n.workMode,
          n.isps.join(','),
          n.networkType,
          n.self ? 'up (self)' : n.up ? 'up' : 'DOWN',
          n.watchDogAgeSeconds === null ? '-' : `${duration(n.watchDogAgeSeconds)} ago`,
        ]),
      ) + `\n\nstate v${reply.stateVersion}`,
    );
  });

  adminCommand<{ address?: string; isps?: string; network?: string; name?: string }, [string | undefined]>(
    node
      .command('set')
      .argument('[code]', 'the node\'s code')
      .description('change a node\'s address, lines, network type or name (on the leader)')
      .option('--address <url>', 'how peers reach the node (http:// or https:// URL)')
      .option('--isps <lines>', 'lines it serves, comma-separated: default, CT, CU, CMCC, CNEdu, OverSea, or None')
      .option('--network <type>', 'IPV4, IPV6 or Both')
      .option('--name <name>', 'friendly name'),
    async ({ out, client }, o, code) => {
      const c = arg.nodeCode(await required(code, '<code>', 'Code of the node to change'), '<code>');
      const patch = {
        ...(o.address !== undefined ? { address: arg.nodeAddress(o.address, '--address') } : {}),
        ...(o.isps !== undefined ? { isps: arg.isps(o.isps) } : {}),
        ...(o.network !== undefined ? { networkType: arg.networkType(o.network) } : {}),
        ...(o.name !== undefined ? { name: arg.nodeName(o.name, '--name') } : {}),
      };
      if (Object.keys(patch).length === 0) throw usageError('nothing to change: give at least one of --address, --isps, --network, --name');
      const reply = await client().call(api.setNode, { params: { code: c }, body: patch });
      out.result(reply, () => `updated node ${reply.node.nodeCode}${versionNote(reply.stateVersion)}: ${describeNode(reply.node)}`);
    },
    { fields: NODE_FIELDS },
  );

  adminCommand<object, [string | undefined]>(
    node
      .command('remove')
      .alias('rm')
      .argument('[code]', 'the node\'s code')
      .description('remove a node from the cluster (on the leader); its lines are handed to the remaining nodes'),
    async (ctx, _o, code) => removeNode(ctx, arg.nodeCode(await required(code, '<code>', 'Code of the node to remove'), '<code>')),
    { fields: NODE_FIELDS },
  );
}

/** DELETE /v2/admin/nodes/<code>, shared by `node remove` and `quit <code>`. */
export async function removeNode({ out, client }: AdminContext, code: string): Promise<void> {
  const reply = await client().call(api.removeNode, { params: { code } });
  out.result(reply, () => describeRemoval(reply));
}

export function describeRemoval(r: RemoveNodeReply): string {
  const lines = [`removed node ${r.removed} from the cluster${versionNote(r.stateVersion)}`];
  if (r.moves.length) {
    lines.push('hand-off (lines served by the remaining nodes until this node is joined again; then they return to it):');
    for (const m of r.moves) lines.push(`  ${m.line}:${m.family === 'ipv4' ? 'A' : 'AAAA'} -> ${m.to}`);
  } else {
    lines.push('hand-off: nothing to move (its lines were already served by other nodes, or it served none)');
  }
  for (const u of r.unserved) lines.push(`  unserved: ${u.line}:${u.family === 'ipv4' ? 'A' : 'AAAA'} (no remaining node can take it; its records keep their last value)`);
  lines.push(r.nodeTold ? 'the node was told it left the cluster' : `the node could not be told (${r.tellError ?? 'no answer'}): when it is back, run "cocoasyncer quit --force" on it so it stops serving the cluster's lines`);
  return lines.join('\n');
}

export function describeNode(n: PublicNode): string {
  return `${n.nodeName} at ${n.nodeAddress}, ${n.workMode}, lines ${n.isps.join(',')}, ${n.networkType}`;
}
