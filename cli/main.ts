/** The command line: one file per command; this one picks it and turns what went wrong into an exit code. */
import { InfraError, RefusedError, UsageError } from '../harness/errors.js';
import { calibrate } from './calibrate.js';
import { check } from './check.js';
import { EXIT, stderr } from './exit.js';
import { matrix } from './matrix.js';
import { merge } from './merge.js';
import { mutants } from './mutants.js';
import { replay } from './replay.js';
import { run } from './run.js';
import { serve } from './serve.js';
import { sweep } from './sweep.js';
import { USAGE } from './usage.js';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { run, matrix, merge, serve, mutants, replay, sweep, check, calibrate };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.usage : EXIT.pass;
    }
    if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}"`);
    return await COMMANDS[command]!(rest);
  } catch (error) {
    if (error instanceof RefusedError) {
      stderr(`policy-conformance: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // One line: node's parseArgs explains some of its errors over several ("… is ambiguous.\nDid you forget …").
      stderr(`policy-conformance: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof InfraError) {
      stderr(`policy-conformance: ${error.message}`);
      return EXIT.infra;
    }
    stderr(`policy-conformance: internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.POLICY_CONFORMANCE_DEBUG) console.error(error);
    return EXIT.internal;
  }
}
