#!/usr/bin/env node
// Entry for the `cocoasyncer` command. Runs the compiled CLI (built by `npm install` via the
// `prepare` script); falls back to the TypeScript sources through tsx in a development checkout.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  await import('tsx/esm');
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
