/**
 * Bad input is answered before anything starts: every row of the table below is exit 2, one line on stderr
 * (`policy-conformance: <reason>`, then the usage text and nothing else — no `[target]` or progress line), nothing on
 * stdout, no out folder created, and fast (the CLI's Node and tsx start-up, well under 3 s on an idle machine).
 * docs/cli.md ("Bad input") shows the same table.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegion } from '../cli/inputs.js';
import { USAGE } from '../cli/usage.js';
import { pathMiss } from '../harness/replay-path.js';
import { serviceNamed } from '../services/index.js';
import { REPO, runCli, runMainInProcess } from './support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-inputs-'));
afterAll(() => {
  if (UNWRITABLE.startsWith(scratch)) chmodSync(UNWRITABLE, 0o755);
  rmSync(scratch, { recursive: true, force: true });
});

/** An existing regular file. */
const FILE = join(scratch, 'a-file');
writeFileSync(FILE, 'not a folder\n');
/** JSON, but not a witness. */
const NOT_WITNESS = join(scratch, 'not-a-witness.json');
writeFileSync(NOT_WITNESS, '{"hello": "world"}\n');
/** A witness file as `loadWitness` takes it, but from a region that is not one. */
const BAD_REGION_WITNESS = join(scratch, 'bad-region-witness.json');
writeFileSync(BAD_REGION_WITNESS, JSON.stringify({ format: 'policy-conformance witness', version: 1, target: 'reference', region: 'nowhere', service: 'xray', consistency: 'strict', switches: {}, rule: 'x', kind: 'wrong-answer', commands: [{}], steps: [] }));
/** JSON in the history format, but naming a service the suite does not have; and one with a switch value no switch takes. */
const HISTORY_BASE = { format: 'policy-conformance history', version: 1, origin: 'recorded', target: 'reference', service: 'dynamodb', account: '123456789012', region: 'us-east-1' };
const HISTORY_STEP = { operation: 'GetResourcePolicy', input: { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t' }, outcome: { kind: 'error', code: 'ResourceNotFoundException', status: 400 } };
const UNKNOWN_SERVICE_HISTORY = join(scratch, 'unknown-service.history.json');
writeFileSync(UNKNOWN_SERVICE_HISTORY, JSON.stringify({ ...HISTORY_BASE, service: 's3', sequences: [] }));
const BAD_SWITCH_HISTORY = join(scratch, 'bad-switch.history.json');
writeFileSync(BAD_SWITCH_HISTORY, JSON.stringify({ ...HISTORY_BASE, sequences: [{ id: 's1', switches: { 'ddb.policySizeLimit': '7' }, consistency: 'strict', steps: [HISTORY_STEP] }] }));
const NO_STEPS_HISTORY = join(scratch, 'no-steps.history.json');
writeFileSync(NO_STEPS_HISTORY, JSON.stringify({ ...HISTORY_BASE, sequences: [{ id: 's1', switches: {}, consistency: 'strict', steps: [] }] }));
/** A shipped history: good input, for rows about the other arguments. */
const SHIPPED_HISTORY = join(REPO, 'histories', 'aws', 'kinesis-localstack-validated.json');
/**
 * A folder nobody may write to. root writes anywhere a mode allows nothing, so there it is a sysfs folder (EACCES
 * for everyone).
 */
const UNWRITABLE = process.getuid?.() === 0 ? '/sys/kernel' : join(scratch, 'read-only');
if (UNWRITABLE !== '/sys/kernel') {
  mkdirSync(UNWRITABLE);
  chmodSync(UNWRITABLE, 0o555);
}

// Rule and switch ids come from the services (their files change); the table names only their shape.
const XRAY_RULE = Object.keys(serviceNamed('xray')!.adapter.model.rules)[0]!;

/** A witness file that loads (its target, the reference, is started only after every check). */
const WITNESS = join(scratch, 'witness.json');
writeFileSync(WITNESS, JSON.stringify({ format: 'policy-conformance witness', version: 1, target: 'reference', region: 'us-east-1', service: 'xray', consistency: 'strict', switches: {}, rule: 'x', kind: 'wrong-answer', commands: [{}], steps: [] }));

/** A row: the arguments, the reason's pattern, and environment variables of its own (the aws allow-list's). */
type Row = [argv: string[], firstLine: RegExp, env?: Record<string, string>];

/** No region for the aws target from anywhere: no AWS_REGION, no shared config files. */
const NO_REGION = { AWS_REGION: '', AWS_CONFIG_FILE: join(scratch, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials') };
const NO_ALLOW_LIST = /^--target aws needs --allow-account ID \(or POLICY_CONFORMANCE_ALLOWED_ACCOUNTS=ID,\.\.\.\): the accounts the run may touch; nothing was called$/;

/**
 * The table. `run`, `matrix` and `merge` rows without `--out` get a fresh `--out` folder (two levels down) that must not exist
 * afterwards; `{file}` is an existing regular file.
 */
const TABLE: Row[] = [
  // --out and the other folders a run writes to: checked (created, a file written and removed) before anything runs.
  [['run', '--out', '{file}'], /^--out \S+a-file is a file, not a folder$/],
  [['run', '--out', '{file}/sub'], /^--out \S+a-file\/sub: \S+a-file is a file, not a folder$/],
  [['run', '--out', UNWRITABLE], /^--out \S+ is not writable \((EACCES|EPERM|EROFS)\)$/],
  [['run', '--out', `${UNWRITABLE}/pc-out`], /^--out \S+\/pc-out: cannot create the folder \((EACCES|EPERM|EROFS)\)$/],
  [['run', '--out', '/proc/pc-conformance-out'], /^--out \/proc\/pc-conformance-out: cannot create the folder \(ENOENT\)$/],
  [['matrix', '--targets', 'reference', '--out', '/proc/pc-conformance-out'], /^--out \/proc\/pc-conformance-out: cannot create the folder \(ENOENT\)$/],
  [['matrix', '--targets', 'reference', '--out', '{file}'], /^--out \S+a-file is a file, not a folder$/],
  [['run', '--failures', '{file}/failures.json'], /^--failures \S+a-file\/failures\.json: \S+a-file is a file, not a folder$/],
  [['run', '--failures', `${UNWRITABLE}/failures.json`], /^--failures \S+\/failures\.json: \S+ is not writable \((EACCES|EPERM|EROFS)\)$/],
  [['run', '--expect', '{file}/expect.json', '--update-expectations'], /^--expect \S+a-file\/expect\.json: \S+a-file is a file, not a folder$/],
  [['matrix', '--targets', 'reference', '--expect-dir', '{file}', '--update-expectations'], /^--expect-dir \S+a-file is a file, not a folder$/],
  // --path: fast-check's form, only with --seed, and selecting one of the generated cases.
  [['run', '--path', 'garbage', '--seed', '1'], /^--path must be a fast-check path as a replay command prints it \(colon-separated numbers, e\.g\. 12:3:0\), not "garbage"$/],
  [['run', '--path', '1:', '--seed', '1'], /^--path must be a fast-check path .*, not "1:"$/],
  [['run', '--path', '', '--seed', '1'], /^--path must be a fast-check path .*, not ""$/],
  [['run', '--path', '0:1'], /^--path needs --seed: a path selects a case of the run with that seed/],
  [['run', '--path', '99999:1:2', '--seed', '1'], /^--path 99999:1:2 starts at case 99999, past the 200 cases of --runs 200 \(give the --runs of the run that printed it\)$/],
  [['run', '--path', '40:0', '--seed', '1', '--runs', '40'], /^--path 40:0 starts at case 40, past the 40 cases of --runs 40/],
  [['run', '--services', 'xray', '--path', '0:99999', '--seed', '5'], /^--path 0:99999 selects no case of xray with --seed 5: it walks past the last shrink step of case 0$/],
  [['run', '--services', 'xray', '--path', '0:0:99999:3', '--seed', '5'], /^--path 0:0:99999:3 selects no case of xray with --seed 5: it walks past the last shrink step of case 0$/],
  // Regions of AWS's form.
  [['run', '--region', 'nowhere'], /^--region must be an AWS region name such as us-east-1, eu-central-1 or us-gov-west-1, not "nowhere"$/],
  [['run', '--region', 'US-EAST-1'], /^--region must be an AWS region name .*, not "US-EAST-1"$/],
  [['run', '--region', ''], /^--region must be an AWS region name .*, not ""$/],
  [['matrix', '--targets', 'reference', '--region', 'us-east'], /^--region must be an AWS region name .*, not "us-east"$/],
  [['replay', '--region', 'nowhere', '{file}'], /^--region must be an AWS region name .*, not "nowhere"$/],
  [['replay', BAD_REGION_WITNESS], /^the witness's region must be an AWS region name .*, not "nowhere"$/],
  // Rules, switches, mutants, services.
  [['run', '--set-aside', 'no.such.rule'], /^unknown rule "no\.such\.rule" in --set-aside; the rule ids are in each report's rules table$/],
  [['run', '--set-aside', 'xray.no-such.rule'], /^unknown rule "xray\.no-such\.rule" in --set-aside; did you mean xray\./],
  [['run', '--services', 'dynamodb', '--set-aside', XRAY_RULE], new RegExp(`^--set-aside rule "${XRAY_RULE.replace(/\./g, '\\.')}" is one of xray's, and --services does not run xray$`)],
  [['run', '--switch', 'no.such=1'], /^unknown switch "no\.such"; known: /],
  [['run', '--switch', 'ddb.policySizeLimit=7'], /^switch ddb\.policySizeLimit takes one of /],
  [['run', '--mutant', 'no-such-mutant'], /^unknown mutant "no-such-mutant"/],
  [['run', '--services', 'dynamodb,s3'], /^unknown service "s3"; known: dynamodb, kinesis, ssm, xray$/],
  [['run', '--services', ','], /^--services needs at least one service$/],
  [['mutants', '--services', 's3'], /^unknown service "s3"/],
  [['run', '--consistency', 'sometimes'], /^--consistency must be strict or eventual, not "sometimes"$/],
  // Targets.
  [['run', '--target', 'http://127.0.0.1:4566/foo'], /^--target URL must be only scheme:\/\/host:port \(the suite calls http:\/\/127\.0\.0\.1:4566\), not "http:\/\/127\.0\.0\.1:4566\/foo" with a path \(\/foo\)$/],
  [['run', '--target', 'http://127.0.0.1:4566?region=eu-west-1'], /^--target URL must be only scheme:\/\/host:port .* with a query \(\?region=eu-west-1\)$/],
  [['run', '--target', 'ftp://example'], /^--target URL must be http:\/\/ or https:\/\/, not ftp:$/],
  [['run', '--target', 'nonsense'], /^--target must be "reference", "aws", "moto", "ministack", "kinesis-local", "container:<image>" or an http\(s\):\/\/ URL, not "nonsense"$/],
  [['run', '--target', 'container:'], /^--target container:<image> needs an image name$/],
  [['run', '--target', 'moto', '--mutant', 'ddb-wrong-error-missing-policy'], /^--mutant works only with --target reference$/],
  [['matrix'], /^matrix needs --targets, e\.g\. --targets reference,moto$/],
  [['matrix', '--targets', 'reference,motto'], /^unknown target "motto" in --targets; each is "reference", "aws", "moto"/],
  // The aws target's opt-in: checked before any request (no allow-list, no call at all).
  [['run', '--target', 'aws'], NO_ALLOW_LIST],
  [['run', '--target', 'aws'], NO_ALLOW_LIST, { POLICY_CONFORMANCE_ALLOWED_ACCOUNTS: ' , ' }],
  [['run', '--target', 'aws', '--allow-account', '12345'], /^--allow-account "12345": an AWS account id is 12 digits$/],
  [['run', '--target', 'aws', '--allow-account', '111122223333', '--allow-account', '1111-2222-3333'], /^--allow-account "1111-2222-3333": an AWS account id is 12 digits$/],
  [['run', '--target', 'aws'], /^POLICY_CONFORMANCE_ALLOWED_ACCOUNTS "abc": an AWS account id is 12 digits \(the variable is a comma-separated list of them\)$/, { POLICY_CONFORMANCE_ALLOWED_ACCOUNTS: '111122223333,abc' }],
  [['run', '--target', 'aws', '--allow-account', '111122223333', '--profile', 'two words'], /^--profile must be a profile name of the shared AWS config, not "two words"$/],
  [['run', '--allow-account', '111122223333'], /^--allow-account works only with --target aws$/],
  [['run', '--target', 'moto', '--profile', 'dev'], /^--profile works only with --target aws$/],
  [['run', '--target', 'aws', '--mutant', 'ddb-wrong-error-missing-policy'], /^--mutant works only with --target reference$/],
  [['matrix', '--targets', 'reference,aws'], NO_ALLOW_LIST],
  [['matrix', '--targets', 'reference', '--allow-account', '111122223333'], /^--allow-account works only with --target aws$/],
  [['replay', '--target', 'aws', WITNESS], NO_ALLOW_LIST],
  [['replay', '--allow-account', '111122223333', WITNESS], /^--allow-account works only with --target aws$/],
  [['sweep', '--target', 'aws'], NO_ALLOW_LIST],
  [['sweep', '--target', 'aws', '--allow-account', '42'], /^--allow-account "42": an AWS account id is 12 digits$/],
  [['sweep', '--target', 'http://127.0.0.1:9', '--allow-account', '111122223333'], /^--allow-account works only with --target aws$/],
  [['sweep', '--target', 'aws', '--allow-account', '111122223333', '--region', 'nowhere'], /^--region must be an AWS region name .*, not "nowhere"$/],
  // Its region: --region, else AWS_REGION, else the profile's (no shared config here), else a usage error.
  [['run', '--target', 'aws', '--allow-account', '111122223333', '--plan'], /^--target aws needs a region: --region R, AWS_REGION, or a region in the shared config profile; nothing was called$/, NO_REGION],
  [['sweep', '--target', 'aws', '--allow-account', '111122223333'], /^--target aws needs a region: --region R, AWS_REGION, or a region in the shared config profile; nothing was called$/, NO_REGION],
  [['run', '--target', 'aws', '--allow-account', '111122223333', '--plan'], /^AWS_REGION must be an AWS region name .*, not "moon-1"$/, { ...NO_REGION, AWS_REGION: 'moon-1' }],
  [['run', '--target', 'aws', '--allow-account', '111122223333', '--profile', 'spec-nowhere', '--plan'], /^--target aws needs a region: --region R, AWS_REGION, or a region in the profile spec-nowhere; nothing was called$/, NO_REGION],
  [['matrix', '--targets', 'reference,http://127.0.0.1:4566/foo'], /^--targets URL must be only scheme:\/\/host:port .* with a path \(\/foo\)$/],
  [['matrix', '--targets', 'http://127.0.0.1:4566,http://127.0.0.1:4566/'], /^two targets share the name "http-127\.0\.0\.1-4566"; list each target once$/],
  [['matrix', '--targets', 'reference', '--expect-dir', '/nonexistent'], /^expectations file \/nonexistent\/reference\.json does not exist/],
  [['matrix', '--targets', 'reference', '--update-expectations'], /^--update-expectations needs --expect-dir DIR/],
  // --shard i/N: strictly, and only where shards can be merged; merge: the shards' folders.
  [['matrix', '--targets', 'reference', '--seed', '1', '--shard', '0/3'], /^--shard must be i\/N, shard i of N with 1 <= i <= N \(e\.g\. 2\/3\), not "0\/3"$/],
  [['matrix', '--targets', 'reference', '--seed', '1', '--shard', '4/3'], /^--shard must be i\/N, .*, not "4\/3"$/],
  [['matrix', '--targets', 'reference', '--seed', '1', '--shard', 'a/b'], /^--shard must be i\/N, .*, not "a\/b"$/],
  [['matrix', '--targets', 'reference', '--seed', '1', '--shard', '1/0'], /^--shard must be i\/N, .*, not "1\/0"$/],
  [['matrix', '--targets', 'reference', '--seed', '1', '--shard', '1/3/4'], /^--shard must be i\/N, .*, not "1\/3\/4"$/],
  [['matrix', '--targets', 'reference', '--services', 'all', '--seed', '1', '--shard', '5/5'], /^--shard 5\/5: the matrix has 4 cells \(1 target × 4 services\), so at most 4 shards$/],
  [['matrix', '--targets', 'reference', '--shard', '1/3'], /^--shard needs --seed S: every shard of a matrix runs the same seed/],
  [['matrix', '--targets', 'reference', '--seed', '1', '--shard', '1/3', '--expect-dir', '{file}', '--update-expectations'], /^--update-expectations with --shard would write expectations from part of the matrix; update them with merge --update-expectations$/],
  [['merge'], /^merge needs the --out folders of the shards \(merge DIR\.\.\.\)$/],
  [['merge', '/nonexistent/shard'], /^shard folder \/nonexistent\/shard does not exist$/],
  [['merge', '{file}'], /^shard folder \S+a-file is a file, not a folder \(give the --out folder of a matrix --shard run\)$/],
  [['merge', scratch], /^\S+ has no shard\.json: it is not the --out folder of a matrix --shard run$/],
  [['merge', scratch, '--out', scratch], /^--out \S+ is one of the shard folders; the merged matrix needs a folder of its own$/],
  [['merge', scratch, '--update-expectations'], /^--update-expectations needs --expect-dir DIR/],
  // Numbers.
  [['run', '--runs', '0'], /^--runs must be a positive integer, not "0"$/],
  [['run', '--runs', '-1'], /^Option '--runs' argument is ambiguous\. Did you forget to specify the option argument for '--runs'\? To specify an option argument starting with a dash use '--runs=-XYZ'\.$/],
  [['run', '--runs=-1'], /^--runs must be a positive integer, not "-1"$/],
  [['run', '--runs', '1.5'], /^--runs must be a positive integer, not "1\.5"$/],
  [['run', '--runs', 'abc'], /^--runs must be a positive integer, not "abc"$/],
  [['mutants', '--runs', '0'], /^--runs must be a positive integer, not "0"$/],
  [['run', '--max-divergences', '0'], /^--max-divergences must be a positive integer, not "0"$/],
  [['run', '--wait-seconds', 'x'], /^--wait-seconds must be a positive integer, not "x"$/],
  [['run', '--wait-seconds', '0'], /^--wait-seconds must be a positive integer, not "0"$/],
  [['matrix', '--targets', 'reference', '--wait-seconds', 'soon'], /^--wait-seconds must be a positive integer, not "soon"$/],
  [['run', '--settle-ms', '-1'], /^Option '--settle-ms' argument is ambiguous\./],
  [['run', '--settle-ms=-1'], /^--settle-ms must be a number of milliseconds \(0 or more\), not "-1"$/],
  [['run', '--window-ms', '15s'], /^--window-ms must be a number of milliseconds \(0 or more\), not "15s"$/],
  [['matrix', '--targets', 'reference', '--window-ms=-5'], /^--window-ms must be a number of milliseconds \(0 or more\), not "-5"$/],
  [['run', '--reproduce', 'x'], /^--reproduce must be a number \(0 or more\), not "x"$/],
  [['matrix', '--targets', 'reference', '--reproduce', 'often'], /^--reproduce must be a number \(0 or more\), not "often"$/],
  [['run', '--seed', '1.5'], /^--seed must be an integer, not "1\.5"$/],
  [['run', '--seed', '123456789012345678901234'], /^--seed must be an integer, not "123456789012345678901234"$/],
  [['run', '--max-calls', '0'], /^--max-calls must be a positive integer, not "0"$/],
  [['run', '--concurrency', '0'], /^--concurrency must be a positive integer, not "0"$/],
  [['run', '--time-limit', 'soon'], /^--time-limit must be a duration such as 90s, 10m or 1h30m, not "soon"$/],
  [['run', '--safety', 'careful'], /^--safety must be full or real-account, not "careful"$/],
  [['matrix', '--targets', 'reference', '--safety', 'none'], /^--safety must be full or real-account, not "none"$/],
  [['run', '--safety', 'real-account', '--partner-account', '12345'], /^--partner-account must be a 12-digit AWS account id, not "12345"$/],
  [['run', '--partner-account', '123456789012'], /^--partner-account needs the real-account profile \(--safety real-account; the aws target's default\)$/],
  [['run', '--plan', '--expect', '{file}', '--update-expectations'], /^--plan writes nothing: it cannot take --update-expectations$/],
  [['serve', '--port', '70000'], /^--port must be 0\.\.65535, not "70000"$/],
  [['serve', '--port', 'x'], /^--port must be 0\.\.65535, not "x"$/],
  // serve --aws-like: the simulator's flags, checked before it listens (and before its credentials are looked at).
  [['serve', '--account', '123456789012'], /^--account is a flag of the AWS-like simulator: add --aws-like$/],
  [['serve', '--time-scale', '0.1'], /^--time-scale is a flag of the AWS-like simulator: add --aws-like$/],
  [['serve', '--aws-like', '--account', '12345'], /^--account must be 12 digits, not "12345"$/],
  [['serve', '--aws-like', '--seed', 'x'], /^--seed must be a whole number >= 0, not "x"$/],
  [['serve', '--aws-like', '--time-scale', 'fast'], /^--time-scale must be a number, not "fast"$/],
  [['serve', '--aws-like', '--time-scale', '0'], /^--time-scale must be a number > 0 and <= 100, not "0"$/],
  [['serve', '--aws-like', '--throttle-rate', '1.5'], /^--throttle-rate must be a number from 0 to 1, not "1\.5"$/],
  [['serve', '--aws-like', '--lag', 'dynamodb'], /^--lag must be SERVICE=off\|ddb-like, not "dynamodb"$/],
  [['serve', '--aws-like', '--lag', 's3=off'], /^--lag names an unknown service "s3" \(one of dynamodb, kinesis, ssm, xray\)$/],
  [['serve', '--aws-like', '--lag', 'kinesis=sometimes'], /^--lag kinesis= must be off or ddb-like, not "sometimes"$/],
  [['serve', '--aws-like', '--mutant', 'no-such-mutant'], /^unknown mutant "no-such-mutant" \(AWS-like: aws-condition-on-visible, aws-read-flips-back, aws-no-window; or one of `mutants --list`\)$/],
  // Flags, commands, arguments.
  [['run', '--bogus'], /^Unknown option '--bogus'/],
  [['matrix', '--targets', 'reference', '--path', '1'], /^Unknown option '--path'/],
  [['run', 'extra'], /^Unexpected argument 'extra'\. This command does not take positional arguments$/],
  [['frobnicate'], /^unknown command "frobnicate"$/],
  // replay: one witness file.
  [['replay'], /^replay needs exactly one witness file$/],
  [['replay', '{file}', '{file}'], /^replay needs exactly one witness file$/],
  [['replay', '/nonexistent/witness.json'], /^cannot read witness file \/nonexistent\/witness\.json: ENOENT$/],
  [['replay', '{file}'], /^witness file \S+a-file is not JSON/],
  [['replay', NOT_WITNESS], /^\S+not-a-witness\.json is not a policy-conformance witness file \(version 1\)$/],
  // check: history files, all read and checked before anything is judged or written.
  [['check'], /^check needs at least one history file \(check HISTORY\.json\.\.\.\)$/],
  [['check', '/nonexistent/history.json'], /^cannot read history file \/nonexistent\/history\.json: ENOENT$/],
  [['check', '{file}'], /^history file \S+a-file is not JSON/],
  [['check', NOT_WITNESS], /^history file \S+not-a-witness\.json: not a policy-conformance history \(version 1\)$/],
  [['check', SHIPPED_HISTORY, UNKNOWN_SERVICE_HISTORY], /^history file \S+unknown-service\.history\.json: unknown service "s3"$/],
  [['check', BAD_SWITCH_HISTORY], /^history file \S+bad-switch\.history\.json: sequence 1 \(s1\): switch ddb\.policySizeLimit takes one of 20480, 20000, not "7"$/],
  [['check', NO_STEPS_HISTORY], /^history file \S+no-steps\.history\.json: sequence 1 \(s1\): no steps$/],
  [['check', SHIPPED_HISTORY, '--out', '{file}'], /^--out \S+a-file is a file, not a folder$/],
  // --record: a folder, checked with the other folders a run writes to.
  [['run', '--record', '{file}'], /^--record \S+a-file is a file, not a folder$/],
  [['run', '--record', ''], /^--record needs a folder to write the histories to$/],
  [['matrix', '--targets', 'reference', '--record', `${UNWRITABLE}/pc-record`], /^--record \S+\/pc-record: cannot create the folder \((EACCES|EPERM|EROFS)\)$/],
  // calibrate: a target, and a profile file to write.
  [['calibrate'], /^calibrate needs --target T \(reference, an emulator or a URL\)$/],
  [["calibrate", "--target", "nonsense"], /^--target must be "reference", .*, not "nonsense"$/],
  [['calibrate', '--target', 'reference', '--region', 'nowhere'], /^--region must be an AWS region name .*, not "nowhere"$/],
  [['calibrate', '--target', 'reference', '--services', 's3'], /^unknown service "s3"; known: dynamodb, kinesis, ssm, xray$/],
  [['calibrate', '--target', 'reference', '--mutant', 'no-such-mutant'], /^unknown mutant "no-such-mutant"/],
  [['calibrate', '--target', 'moto', '--mutant', 'xray-delete-missing-not-found'], /^--mutant works only with --target reference$/],
  [['calibrate', '--target', 'aws'], /^--target aws needs --allow-account ID \(or POLICY_CONFORMANCE_ALLOWED_ACCOUNTS=ID,\.\.\.\): the accounts the run may touch; nothing was called$/],
  [['calibrate', '--target', 'reference', '--out', 'profile.txt'], /^--out names the profile file \(FILE\.json\), not "profile\.txt"$/],
  [['calibrate', '--target', 'reference', '--out', '{file}/profile.json'], /^--out \S+a-file\/profile\.json: \S+a-file is a file, not a folder$/],
  // sweep: refused before it reads a journal or sends a request.
  [['sweep'], /^sweep needs --target URL or --target aws \(where the runs went\)$/],
  [['sweep', '--target', 'moto'], /^sweep works on a target the suite does not start itself \(an http\(s\):\/\/ URL or aws\); "moto" starts fresh each run and is gone with it$/],
  [['sweep', '--target', 'http://127.0.0.1:9', '--account', '12345'], /^--account "12345": an AWS account id is 12 digits$/],
  [['sweep', '--target', 'http://127.0.0.1:9', '--older-than', 'soon'], /^--older-than must be a duration/],
];

/** Run `use` with these environment variables set in this process, and put them back after. */
async function withEnv<T>(env: Record<string, string>, use: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await use();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('bad input: exit 2, one line, nothing started', () => {
  // Node + tsx start-up is not the CLI's reaction time; on a loaded machine it alone can pass 3 s.
  let startup = Infinity;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) startup = Math.min(startup, (await runCli(['--help'])).ms);
  });

  let rowNumber = 0;
  it.each(TABLE)('%j → %s %j', async (argv, firstLine, env = {}) => {
    const fresh = join(scratch, `row-${++rowNumber}`);
    const args = argv.map((a) => a.replace('{file}', FILE));
    if (['run', 'matrix', 'merge'].includes(args[0]!) && !args.some((a) => a === '--out')) args.push('--out', join(fresh, 'nested', 'out'));
    // Every eighth row as a user runs it (a process of its own); the others through the same `main` in this process,
    // which is what that process runs once Node and tsx have started (a hundred start-ups were most of this file's time).
    // No aws allow-list from the developer's own environment unless the row gives one.
    const inProcess = rowNumber % 8 !== 1;
    const rowEnv = { POLICY_CONFORMANCE_ALLOWED_ACCOUNTS: '', ...env };
    const r = inProcess ? await withEnv(rowEnv, () => runMainInProcess(args)) : await runCli(args, 20_000, rowEnv);
    expect(r.code, r.stderr).toBe(2);
    const [first, ...rest] = r.stderr.split('\n');
    expect(first).toMatch(/^policy-conformance: /);
    expect(first!.slice('policy-conformance: '.length)).toMatch(firstLine);
    // The reason, then the usage text, and nothing else: no `[target]` line, no progress, no stack trace.
    expect(rest.join('\n')).toBe(`${USAGE}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(fresh), `${fresh} was created`).toBe(false);
    // Fast means before any work: nothing started (above), and no waiting on anything — a bound loose enough for a
    // loaded CI machine (module loading alone varies by seconds there), tight enough to catch a hang or a target start.
    expect(r.ms).toBeLessThan(Math.max(5000, startup + 4000));
  });

  it('serve --aws-like without credentials in its environment: exit 2, one line, nothing listening', async () => {
    const r = await runCli(['serve', '--aws-like', '--port', '0'], 20_000, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('policy-conformance: serve --aws-like accepts only requests signed with the credentials in its environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(r.stdout).toBe('');
  });

  it('the table covers the cases of issue 10 ("Inputs checked first")', () => {
    const flags = new Set(TABLE.flatMap(([argv]) => argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0])));
    for (const f of ['--out', '--path', '--region', '--set-aside', '--switch', '--target', '--targets', '--shard', '--runs', '--max-divergences', '--wait-seconds', '--settle-ms', '--window-ms', '--reproduce', '--seed', '--port', '--allow-account', '--profile', '--record']) expect(flags).toContain(f);
  });
});

describe('what is accepted is unchanged, and some inputs are tidied instead of refused', () => {
  it('region names of every AWS partition are accepted; others are not', () => {
    for (const r of ['us-east-1', 'eu-central-1', 'ap-southeast-3', 'me-central-1', 'il-central-1', 'ca-west-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1', 'us-iso-east-1', 'us-isob-east-1', 'eusc-de-east-1']) expect(checkRegion(r)).toBe(r);
    for (const r of ['nowhere', 'US-EAST-1', '', 'us-east', 'useast1', 'us-east-1a', ' us-east-1', 'us-middle-1']) expect(() => checkRegion(r), r).toThrow(/must be an AWS region name/);
  });

  it('a replay path selects a case exactly when fast-check would run one', () => {
    const arb = fc.array(fc.nat(), { minLength: 1 });
    const runsAt = (path: string) => {
      let n = 0;
      try {
        fc.check(fc.property(arb, () => (n++, true)), { seed: 3, path, numRuns: 20 });
      } catch {
        // fast-check: "Unable to replay, got wrong path"
      }
      return n;
    };
    for (const path of ['0', '19', '3:0', '3:1:0', '0:99999', '0:0:99999:3', '7:99999']) expect(pathMiss(arb, 3, path, 20) === null, path).toBe(runsAt(path) > 0);
    expect(pathMiss(arb, 3, '20', 20)).toMatch(/past the 20 cases/);
    expect(pathMiss(arb, 3, 'x', 20)).toMatch(/not a fast-check path/);
  });

  it('--services xray,xray runs X-Ray once; --targets reference,reference runs the reference once', async () => {
    const out = join(scratch, 'dedupe-run');
    const r = await runCli(['run', '--services', 'xray,xray', '--runs', '3', '--seed', '1', '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { services: Array<{ service: string }> };
    expect(results.services.map((s) => s.service)).toEqual(['xray']);

    const mout = join(scratch, 'dedupe-matrix');
    const m = await runCli(['matrix', '--targets', 'reference,reference', '--services', 'xray', '--runs', '3', '--seed', '1', '--quiet', '--out', mout]);
    expect(m.code, m.stderr).toBe(0);
    const matrix = JSON.parse(readFileSync(join(mout, 'matrix.json'), 'utf8')) as { targets: Array<{ target: string }> };
    expect(matrix.targets.map((c) => c.target)).toEqual(['reference']);
  });

  it('a good --out is created, and the probe file is gone', async () => {
    const out = join(scratch, 'good', 'deeper', 'out');
    const r = await runCli(['run', '--services', 'xray', '--runs', '2', '--seed', '1', '--quiet', '--failures', 'off', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
    expect(readdirSync(out).filter((f) => f.includes('probe'))).toEqual([]);
  });

  it('a closed stdout (`mutants --list | head -1`) is a quiet exit 0, not an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, ['bin/policy-conformance.mjs', 'mutants', '--list'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first line is written
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
