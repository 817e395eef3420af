// LogFormat: readable text on a terminal (pino-pretty), JSON lines otherwise; `text`/`json` force
// one. Both carry the same redactions: a known secret never reaches either.
import test from 'ava';
import { createLogger, usesText, type LogFormat } from '../src/log.js';

function sink(isTTY: boolean): { isTTY: boolean; lines: string[]; write(text: string): boolean } {
  return {
    isTTY,
    lines: [],
    write(text: string) {
      this.lines.push(text);
      return true;
    },
  };
}

function logOnce(format: LogFormat | undefined, isTTY: boolean): string {
  const dest = sink(isTTY);
  const log = createLogger({ level: 'info', format, destination: dest as unknown as NodeJS.WritableStream, secrets: () => ['hunter2-secret-value'] });
  log.info({ config: '/etc/cocoasyncer/cocoasyncer.yaml', leak: 'key=hunter2-secret-value' }, 'CocoaSyncer node listening');
  return dest.lines.join('');
}

test('auto is text on a terminal and JSON otherwise; text and json force their format either way', (t) => {
  t.true(usesText('auto', { isTTY: true }));
  t.false(usesText('auto', { isTTY: false }));
  t.false(usesText('auto', {}));
  t.true(usesText('text', {}));
  t.false(usesText('json', { isTTY: true }));
  t.false(usesText(undefined, { isTTY: true }), 'callers that name no format keep JSON');

  const piped = logOnce('auto', false);
  t.is((JSON.parse(piped) as { msg: string }).msg, 'CocoaSyncer node listening');
  const terminal = logOnce('auto', true);
  t.throws(() => JSON.parse(terminal));
  t.regex(terminal, /\u001b\[/, 'coloured on a terminal');
  const plain = terminal.replace(/\u001b\[\d+m/g, '');
  t.regex(plain, /INFO \(cocoasyncer\): CocoaSyncer node listening/);
  t.regex(plain, /config: "\/etc\/cocoasyncer\/cocoasyncer\.yaml"/);
  t.regex(logOnce('text', false), /^\[[^\]]+\] INFO \(cocoasyncer\): CocoaSyncer node listening/);
  t.notRegex(logOnce('text', false), /\u001b\[/, 'no colour codes when not a terminal');
  t.notThrows(() => JSON.parse(logOnce('json', true)));
});

test('a known secret is scrubbed from text lines as from JSON lines', (t) => {
  for (const [format, tty] of [['text', false], ['text', true], ['json', false]] as const) {
    const out = logOnce(format, tty);
    t.false(out.includes('hunter2-secret-value'), `${format} tty=${tty}: ${out}`);
    t.regex(out, /key=/, `${format}: the rest of the field is kept`);
  }
});
