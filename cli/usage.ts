/** The usage text every usage error ends with. */
export const USAGE = `usage:
  policy-conformance run [--target reference|aws|moto|ministack|kinesis-local|container:IMAGE|URL] [--allow-account ID]... [--profile P]
                         [--services dynamodb,...] [--runs N] [--seed S] [--path P]
                         [--consistency strict|eventual] [--out DIR] [--mutant NAME] [--region R]
                         [--switch NAME=VALUE]... [--set-aside RULE,...] [--max-divergences N] [--settle-ms MS] [--window-ms MS]
                         [--wait-seconds S] [--concurrency K] [--reproduce N] [--failures FILE|off] [--expect FILE [--update-expectations]]
                         [--max-calls N] [--max-resources N] [--time-limit DURATION] [--record DIR]
                         [--safety full|real-account] [--partner-account ID]... [--plan]
                         (the region: --region; for aws, else AWS_REGION or the profile's; else us-east-1)
  policy-conformance matrix --targets reference,moto,...[,container:IMAGE] [--services ...] [--runs N] [--seed S]
                         [--out DIR] [--expect-dir DIR [--update-expectations]] [--reproduce N] [--consistency C] [--region R] [--wait-seconds S] [--window-ms MS] [--concurrency K]
                         [--max-calls N] [--max-resources N] [--time-limit DURATION] [--shard i/N (with --seed)] [--record DIR]
                         [--safety full|real-account] [--partner-account ID]...
  policy-conformance merge SHARD_DIR... [--out DIR] [--expect-dir DIR [--update-expectations]] [--quiet]
  policy-conformance replay WITNESS.json [--target T] [--region R] [--allow-account ID]... [--profile P] [--safety full|real-account] [--partner-account ID]...
  policy-conformance check HISTORY.json... [--out DIR]
  policy-conformance calibrate --target T [--services ...] [--region R] [--mutant NAME] [--allow-account ID]... [--profile P] [--out FILE.json] [--quiet]
  policy-conformance sweep --target URL|aws [--allow-account ID]... [--profile P] [--account ID]... [--older-than DURATION] [--services ...] [--region R] [--yes]
  policy-conformance serve [--port N] [--mutant NAME]
  policy-conformance serve --aws-like [--port N] [--account ID] [--seed S] [--time-scale F] [--throttle-rate R]
                         [--lag SERVICE=off|ddb-like]... [--mutant NAME]
  policy-conformance mutants [--services ...] [--runs N] [--seed S] [--list]`;
