// The `cocoasyncer` command (see program.ts for the command tree).
import { runCli } from './program.js';

await runCli(process.argv);
