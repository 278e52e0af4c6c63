/**
 * The shipped histories of AWS's recorded behaviour (histories/aws/, written by hand from the sources each cites)
 * must pass `check`: a sequence the model rejects is a model bug, named here with its file, step and rule. And the
 * check is not vacuous: the same histories with one recorded answer changed are rejected, on the rule and step of
 * that answer; and the eventual-consistency ones are rejected under strict consistency.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HistoryFile, historyProblem, judgeHistory } from '../models/history.js';
import type { ServiceModel } from '../models/types.js';
import { SERVICE_NAMES, serviceNamed } from '../services/index.js';
import { REPO, runCli } from './support/cli.js';

const DIR = join(REPO, 'histories', 'aws');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const modelOf = (service: string) => serviceNamed(service)!.adapter.model as ServiceModel<unknown>;
const load = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as HistoryFile;
const scratch = mkdtempSync(join(tmpdir(), 'pc-aws-histories-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('shipped AWS histories', () => {
  it('there are some, for DynamoDB and Kinesis, each a transcribed history citing a source on every step', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(3);
    const services = new Set(FILES.map((f) => load(f).service));
    expect([...services].sort()).toEqual(['dynamodb', 'kinesis']);
    for (const f of FILES) {
      const h = load(f);
      expect(historyProblem(h, SERVICE_NAMES, (s) => modelOf(s).switches), f).toBeUndefined();
      expect(h.origin, f).toBe('transcribed');
      expect(h.sources?.length, f).toBeGreaterThan(0);
      const tags = h.sources!.map((s) => s.tag);
      for (const s of h.sequences) for (const st of s.steps) expect(tags.some((t) => st.source!.includes(`[${t}]`)), `${f} ${s.id}: ${st.source}`).toBe(true);
    }
  });

  it.each(FILES)('the model accepts every sequence of %s', (file) => {
    const judged = judgeHistory(modelOf(load(file).service), file, load(file));
    const rejected = judged.judgements.flatMap((j) => (j.status === 'departs' ? [`${j.id}: step ${j.at + 1} departs on ${j.rule}`] : []));
    expect(rejected, `model bug: the model rejects AWS's recorded behaviour in ${file}`).toEqual([]);
  });

  it('the stale reads of §7.1–7.3 are judged under eventual consistency, and are departures under strict', () => {
    const h = load('dynamodb-probe-notes.json');
    const eventual = h.sequences.filter((s) => s.consistency === 'eventual').map((s) => s.id);
    expect(eventual).toEqual(expect.arrayContaining(['lagging-visibility', 'conditional-writes-committed', 'fifteen-second-window']));
    const strict = { ...h, sequences: h.sequences.map((s) => ({ ...s, consistency: 'strict' as const })) };
    const judged = judgeHistory(modelOf('dynamodb'), 'strict', strict);
    const lag = judged.judgements.find((j) => j.id === 'lagging-visibility')!;
    expect(lag).toMatchObject({ status: 'departs', at: 2, rule: 'ddb.get.policy' });
  });

  it('`check` passes them all offline (exit 0), and rejects a changed answer naming the rule and step (exit 1)', async () => {
    const out = join(scratch, 'out');
    const ok = await runCli(['check', ...FILES.map((f) => join('histories', 'aws', f)), '--out', out]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    for (const f of FILES) expect(ok.stdout).toMatch(new RegExp(`${f}: \\w+, (\\d+) of \\1 sequences accepted`));
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { services: Array<{ verdict: string }> };
    expect(results.services.map((s) => s.verdict)).toEqual(['pass', 'pass']);

    // moto's "Putting the same resource policy is a NO-OP", answered with a new RevisionId instead.
    const h = load('dynamodb-moto-verified.json');
    const seq = h.sequences.find((s) => s.id === 'put-same-twice')!;
    const again = seq.steps.findIndex((st, i) => i > 1 && st.operation === 'PutResourcePolicy');
    (seq.steps[again]!.outcome as { output: Record<string, string> }).output.RevisionId = '1709841169999';
    const changed = join(scratch, 'changed.json');
    writeFileSync(changed, JSON.stringify(h));
    const bad = await runCli(['check', changed, '--out', join(scratch, 'out-bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`sequence put-same-twice departs at step ${again + 1} (PutResourcePolicy) on ddb.put.identical`);
    expect(readFileSync(join(scratch, 'out-bad', 'report.md'), 'utf8')).toContain('ddb.put.identical');
  });
});
