// The design notes the code cites live in the repository: every `docs/...` path a source, test or
// README cites exists, and nothing cites notes kept outside it.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers/node.js';

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else if (/\.(ts|md)$/.test(name)) out.push(path);
  }
  return out;
}

const sources = () => [...files(join(ROOT, 'src')), ...files(join(ROOT, 'test')), ...files(join(ROOT, 'docs')), join(ROOT, 'README.md')];

test('every docs/ page the code cites exists, and docs/ links resolve', (t) => {
  let cited = 0;
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    for (const [, page] of text.matchAll(/\bdocs\/([A-Za-z0-9_-]+\.md)/g)) {
      cited++;
      t.true(existsSync(join(ROOT, 'docs', page!)), `${relative(ROOT, file)} cites docs/${page}, which does not exist`);
    }
    if (file.includes(`${join(ROOT, 'docs')}`)) {
      for (const [, link] of text.matchAll(/\]\(([A-Za-z0-9_-]+\.md)\)/g)) t.true(existsSync(join(ROOT, 'docs', link!)), `${relative(ROOT, file)} links ${link}`);
    }
  }
  t.true(cited >= 5, `found ${cited} citations`);
});

test('no code comment cites design notes kept outside the repository', (t) => {
  for (const file of sources()) {
    if (file.endsWith('docs.test.ts')) continue;
    const text = readFileSync(file, 'utf8');
    t.false(/\bdesign\.md\b|reference\/dns-apis\.md|reference\/cocoasyncer-v1-api\.md/.test(text), `${relative(ROOT, file)} cites a note outside the repository`);
  }
});
