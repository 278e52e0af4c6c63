/**
 * The AWS-like simulator's seeded bugs: departures from §7's behaviour that a run with `--target aws` against the
 * simulator must catch (`serve --aws-like --mutant NAME`). They are not reference-server mutants — the mutation
 * score (`mutants`) runs the reference target, where none of these behaviours exist — so they have their own list,
 * gathered from each service's services/<service>/aws-like.ts. Each names the rule its departure breaks.
 */
import { SERVICES } from '../../services/index.js';
import type { AwsLikeMutant } from './service.js';

export type { AwsLikeMutant } from './service.js';

export const AWS_LIKE_MUTANTS: readonly AwsLikeMutant[] = SERVICES.flatMap((s) => (s.awsLike?.mutants ?? []).map((m) => ({ ...m, service: s.name })));

export function awsLikeMutant(name: string | undefined): AwsLikeMutant | undefined {
  return name === undefined ? undefined : AWS_LIKE_MUTANTS.find((m) => m.name === name);
}
