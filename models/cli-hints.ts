/**
 * What the AWS CLI needs to reproduce a service's calls, as data each service gives (`ServiceDefinition.cli`, filled
 * from its operation table) and reports/reproducer.ts reads: the reproducer itself names no service.
 */
import type { JsonObject } from './types.js';

/** What the AWS CLI needs to reproduce one operation. */
export interface CliHint {
  /** Where the CLI's JSON puts the output members the adapter reports flattened (e.g. X-Ray Put's `ResourcePolicy`). */
  outputPrefix?: string;
  /**
   * The members the adapter read after the call (a Describe): the CLI command that shows them (`at` is the
   * `--endpoint-url … --region …` words) and the query prefix they sit under in its JSON (e.g. `Table`).
   */
  outputsVia?: (at: string, input: JsonObject) => { command: string; prefix: string };
  /** Shell lines that wait for the call's effect (the adapter's waiter), after a success; `inputWord` is the input as `--cli-input-json` takes it. */
  waitAfter?: (at: string, input: JsonObject, inputWord: string) => string[];
  /**
   * `false`: the CLI pages this operation by itself, so a call whose input asks for one page (`MaxResults` or
   * `NextToken`) is sent with `--no-paginate`, as the harness sent it.
   */
  paginate?: false;
}

/** A service as the AWS CLI names it, and per operation what a reproducer needs. */
export interface ServiceCli {
  /** The CLI's name for the service (`aws <service> …`). */
  service: string;
  operations: Readonly<Record<string, CliHint>>;
}

/** One POSIX shell word holding exactly `text` (single quotes; a quote inside becomes '\''). For hints' shell lines too. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
