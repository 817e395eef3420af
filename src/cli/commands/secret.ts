// `cocoasyncer secret rotate`: change this node's secret where it is kept (its identity, and the
// leader's copy when it is in a cluster), then write it into the config file the CLI signs with.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { api } from '../../api/contract.js';
import { replaceConfigSecret } from '../../config/edit-secret.js';
import { pastedSecretSchema } from '../../schemas.js';
import * as arg from '../args.js';
import { resolveConfigPath } from '../config-path.js';
import type { FieldNames } from '../output.js';
import { fromStdinIfDash } from '../prompt.js';
import { adminCommand } from './common.js';

const SECRET_FIELDS: FieldNames = { secret: '--secret' };

export function registerSecret(program: Command): void {
  const secret = program.command('secret').description('this node\'s CocoaSecret');
  adminCommand<{ secret?: string; writeConfig?: boolean }>(
    secret
      .command('rotate')
      .description('give this node a new secret (its identity and the leader\'s copy together) and write it into the config file')
      .option('--secret <secret>', 'the new secret, at least 8 characters ("-" reads it from stdin; default: a random one)')
      .option('--no-write-config', 'do not write the new secret into the config file')
      .addHelpText(
        'after',
        '\nThe node answers to the new secret from the moment it returns. The CLI signs with the config\n' +
          'file\'s CocoaSecret, so the new one is written there (comments kept); with --node-secret or\n' +
          '$COCOASYNCER_SECRET, use the new secret there from now on.',
      ),
    async ({ out, client }, o) => {
      const given = await fromStdinIfDash(o.secret, '--secret');
      const generated = given === undefined;
      const next = generated ? randomBytes(24).toString('base64url') : arg.check(pastedSecretSchema.min(8, 'must be at least 8 characters'), given, '--secret');
      // A generated secret is shown once if it could not be written anywhere (below); else scrubbed.
      if (!generated) out.addSecret(next);
      const c = client();
      const reply = await c.call(api.rotateSecret, { body: { secret: next } });
      const flags = (secret.commands.find((x) => x.name() === 'rotate')!).optsWithGlobals<{ config?: string; node?: string; nodeSecret?: string }>();
      const notes: string[] = [];
      let written = false;
      if (o.writeConfig !== false && flags.node === undefined) {
        const { path } = resolveConfigPath(flags.config);
        try {
          const updated = replaceConfigSecret(readFileSync(path, 'utf8'), next);
          if (updated === null) notes.push(`${path} has no CocoaSecret line: set it yourself`);
          else {
            writeFileSync(path, updated);
            written = true;
            notes.push(`wrote the new secret into ${path}`);
          }
        } catch (err) {
          notes.push(`could not write ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): set CocoaSecret there yourself`);
        }
      }
      if (process.env.COCOASYNCER_SECRET || flags.nodeSecret) notes.push('the old secret came from --node-secret/$COCOASYNCER_SECRET: use the new one there from now on');
      // A generated secret nobody has yet is shown once, only when it could not be written.
      if (written) out.addSecret(next);
      if (generated && !written) notes.push(`the new secret is in the JSON reply's "secret" field (use --json); keep it safe`);
      out.result({ ...reply, configWritten: written, ...(generated && !written ? { secret: next } : {}) }, () =>
        [`rotated this node's secret${reply.leaderUpdated ? ' (the leader has the new one too)' : ''}; it answers to the new secret only`, ...notes].join('\n'),
      );
    },
    { fields: SECRET_FIELDS, secretIsPeer: true },
  );
}
