// A private CA and a certificate for 127.0.0.1, made with openssl for TLS tests.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './config.js';

export interface TestPki {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** `names`: the certificate's subjectAltName entries (default the node's: 127.0.0.1 and localhost). */
export function makePki(names: string[] = ['IP:127.0.0.1', 'DNS:localhost']): TestPki {
  const dir = tempDir('cocoa-pki-');
  const at = (f: string) => join(dir, f);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=CocoaSyncer Test CA', '-keyout', at('ca.key'), '-out', at('ca.pem')]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', names[0]!.replace(/^(IP|DNS):/, '/CN='), '-keyout', at('node.key'), '-out', at('node.csr')]);
  writeFileSync(at('ext.cnf'), `subjectAltName=${names.join(',')}\n`);
  run(['x509', '-req', '-in', at('node.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', at('ext.cnf'), '-out', at('node.pem')]);
  return { dir, ca: at('ca.pem'), cert: at('node.pem'), key: at('node.key') };
}
