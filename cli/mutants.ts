/** `policy-conformance mutants`: the mutation score, or with --list the seeded bugs. */
import { parseArgs } from 'node:util';
import { runMutants } from '../harness/mutation-score.js';
import { allMutants } from '../harness/reference/server.js';
import { EXIT, stderr } from './exit.js';
import { DEFAULTS, parseServices, positiveInt, seedOf } from './options.js';

export async function mutants(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { services: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, list: { type: 'boolean', default: false } },
    strict: true,
  });
  const services = parseServices(values.services);
  if (values.list) {
    for (const m of allMutants().filter((x) => services.includes(x.service))) process.stdout.write(`${m.name.padEnd(38)} ${m.service.padEnd(9)} ${m.description}\n`);
    return EXIT.pass;
  }
  const runs = positiveInt('runs', values.runs, DEFAULTS.runs);
  const seed = values.seed === undefined ? DEFAULTS.mutantSeed : seedOf(values.seed);
  const outcomes = await runMutants({
    services,
    runs,
    seed,
    region: DEFAULTS.region,
    onResult: (o) => stderr(`${o.caught ? 'caught ' : 'MISSED '} ${o.name}${o.rule ? ` by ${o.rule} (${o.kind}) in ${o.calls} calls${o.named ? '' : ` — seeded as ${o.breaks} (${o.breaksKind})`}` : ` (${o.verdict})`}`),
  });
  const caught = outcomes.filter((o) => o.caught).length;
  const named = outcomes.filter((o) => o.named).length;
  const lines = outcomes.map((o) => `  ${o.caught ? 'caught' : 'MISSED'}  ${o.name.padEnd(38)} ${o.rule ? `${o.rule} (${o.kind}, ${o.calls} calls)${o.named ? '' : ` — seeded as ${o.breaks} (${o.breaksKind})`}` : o.verdict}`);
  process.stdout.write(`${lines.join('\n')}\nmutation score: ${caught}/${outcomes.length} (${outcomes.length ? Math.round((100 * caught) / outcomes.length) : 0}%), ${named} named under the rule and kind they break, seed ${seed}, ${runs} runs\n`);
  return caught === outcomes.length ? EXIT.pass : EXIT.fail;
}
