// Asking for a missing value. Only an operator at a terminal is asked; a script (stdin not a TTY)
// gets a usage error naming the flag instead, so it never hangs waiting for input nobody types.
// Prompts go to stderr so that stdout stays clean for --json.
import { createInterface } from 'node:readline';
import { usageError } from './output.js';

export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

const defaultIo = (): PromptIo => ({ input: process.stdin, output: process.stderr });

export function canPrompt(io: PromptIo = defaultIo()): boolean {
  return io.input.isTTY === true;
}

/**
 * The value of a required flag: the one given, else (on a TTY) what the operator types, else a
 * usage error naming the flag. `secret` reads without echo.
 */
export async function required(value: string | undefined, flag: string, question: string, opts: { secret?: boolean; io?: PromptIo } = {}): Promise<string> {
  if (value !== undefined && value !== '') return value;
  const io = opts.io ?? defaultIo();
  if (!canPrompt(io)) throw usageError(`missing ${flag} (stdin is not a terminal, so it cannot be asked for)`);
  const answer = opts.secret ? await askSecret(question, io) : await ask(question, io);
  if (answer === '') throw usageError(`missing ${flag}: nothing was entered`);
  return answer;
}

export function ask(question: string, io: PromptIo = defaultIo()): Promise<string> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: true });
  return new Promise((resolve, reject) => {
    rl.once('SIGINT', () => {
      rl.close();
      reject(usageError('cancelled'));
    });
    rl.question(`${question}: `, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}

/**
 * Reads a line with the terminal in raw mode so nothing is echoed (not even asterisks, which would
 * give the length away). Handles backspace, Ctrl-U, Ctrl-C and Ctrl-D.
 */
export function askSecret(question: string, io: PromptIo = defaultIo()): Promise<string> {
  const { input, output } = io;
  output.write(`${question} (input hidden): `);
  const raw = typeof input.setRawMode === 'function';
  if (raw) input.setRawMode!(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err: Error | null) => {
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(usageError('cancelled'));
        if (ch === '\u0004') return value === '' ? done(usageError('cancelled')) : done(null);
        if (ch === '\u0015') value = '';
        else if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** `-` as a secret flag's value: read it from stdin (first line), keeping it out of `ps` and shell history. */
export async function fromStdinIfDash(value: string | undefined, flag: string, input: NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
  if (value !== '-') return value;
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw usageError(`${flag} -: stdin gave an empty line`);
  return line;
}
