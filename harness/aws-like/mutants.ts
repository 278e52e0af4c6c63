/**
 * The AWS-like simulator's seeded bugs: departures from §7's behaviour that a run with `--target aws` against the
 * simulator must catch (`serve --aws-like --mutant NAME`). They are not reference-server mutants — the mutation
 * score (`mutants`) runs the reference target, where none of these behaviours exist — so they have their own list.
 * Each names the rule its departure breaks.
 */
export interface AwsLikeMutant {
  name: string;
  service: string;
  description: string;
  /** The rule whose check should catch it (services/<service>/rules.ts). */
  breaks: string;
}

export const AWS_LIKE_MUTANTS: readonly AwsLikeMutant[] = [
  {
    name: 'aws-condition-on-visible',
    service: 'dynamodb',
    description: 'a conditional Put or Delete is checked against the visible (lagging) state instead of the committed one: the RevisionId a Put just returned is refused while Get is still stale (spec §7 item 2)',
    breaks: 'ddb.put.replace',
  },
  {
    name: 'aws-read-flips-back',
    service: 'dynamodb',
    description: 'a Get that has shown the new policy shows the old one once more on the next read (spec §7 item 1: it switches once, never back)',
    breaks: 'ddb.get.stale-view',
  },
  {
    name: 'aws-no-window',
    service: 'dynamodb',
    description: 'the 15-second window is not enforced: a different Put or a Delete right after a change succeeds (spec §7 item 3)',
    breaks: 'ddb.put.cooldown',
  },
];

export function awsLikeMutant(name: string | undefined): AwsLikeMutant | undefined {
  return name === undefined ? undefined : AWS_LIKE_MUTANTS.find((m) => m.name === name);
}
