/** The usage text every usage error ends with. */
export const USAGE = `usage:
  policy-conformance run [--target reference|moto|ministack|kinesis-local|container:IMAGE|URL]
                         [--services dynamodb,...] [--runs N] [--seed S] [--path P]
                         [--consistency strict|eventual] [--out DIR] [--mutant NAME] [--region R]
                         [--switch NAME=VALUE]... [--set-aside RULE,...] [--max-divergences N] [--settle-ms MS]
                         [--wait-seconds S] [--concurrency K] [--reproduce N] [--failures FILE|off] [--expect FILE [--update-expectations]]
                         [--max-calls N] [--max-resources N] [--time-limit DURATION]
  policy-conformance matrix --targets reference,moto,...[,container:IMAGE] [--services ...] [--runs N] [--seed S]
                         [--out DIR] [--expect-dir DIR [--update-expectations]] [--reproduce N] [--consistency C] [--region R] [--wait-seconds S] [--concurrency K]
                         [--max-calls N] [--max-resources N] [--time-limit DURATION] [--shard i/N (with --seed)]
  policy-conformance merge SHARD_DIR... [--out DIR] [--expect-dir DIR [--update-expectations]] [--quiet]
  policy-conformance replay WITNESS.json [--target T] [--region R]
  policy-conformance sweep --target URL [--account ID]... [--older-than DURATION] [--services ...] [--region R] [--yes]
  policy-conformance serve [--port N] [--mutant NAME]
  policy-conformance serve --aws-like [--port N] [--account ID] [--seed S] [--time-scale F] [--throttle-rate R]
                         [--lag SERVICE=off|ddb-like]... [--mutant NAME]
  policy-conformance mutants [--services ...] [--runs N] [--seed S] [--list]`;
