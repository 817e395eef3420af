// Builds validated configs for tests: a temp folder per node, SQLite by default, port 0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, type Config } from '../../src/config/index.js';

export function tempDir(prefix = 'cocoa-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testConfig(overrides: Record<string, unknown> = {}, dir = tempDir()): Config {
  const { config } = buildConfig(
    {
      APIPort: 0,
      BindAddress: '127.0.0.1',
      NodeName: 'TestCocoa',
      NodeCode: 'test-leader',
      NodeAddress: 'http://127.0.0.1:1',
      WorkMode: 'leader',
      CocoaSecret: 'leader-secret-123',
      DataBaseType: 'sqlite',
      DSN: 'file:node.db',
      LogLevel: 'silent',
      PublicIP: { IPv4: { Static: '203.0.113.10' }, IPv6: { Disabled: true } },
      ...overrides,
    },
    { baseDir: dir, env: {} },
  );
  return config;
}
