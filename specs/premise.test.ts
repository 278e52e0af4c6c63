/**
 * A witness must not rest on an open question. moto 5.2.5 never validates CreateTable's ResourcePolicy and, on a
 * name that is taken, answers ResourceInUseException: a first failing sequence that sends an invalid policy to an
 * existing name departs under the default reading of `ddb.createTableCheckOrder` (validate-first) and conforms under
 * the other (exists-first), which AWS may well follow. The switch cannot explain the target (the targeted sequence
 * shows a free name taking the invalid policy too), so the suite keeps that premise as the witness: CreateTable of a
 * free name with an invalid policy, answered with success — a departure whatever the answer to the open question.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_ACCOUNT } from '../harness/reference/server.js';
import { replayOffline } from '../models/checker.js';
import { defaultSwitches } from '../models/types.js';
import { renderMarkdown } from '../reports/markdown.js';
import { dynamodbAdapter } from '../services/dynamodb/adapter.js';
import { runAgainstReference } from './support/reference.js';

const MUTANT = 'ddb-createtable-unchecked-policy';
const QUESTION = 'ddb.createTableCheckOrder';
/** Seeds whose first failing sequence sends the invalid policy to a taken name (seen with this generator). */
const SEEDS = [1, 2, 4, 5];

const settingsWith = (value?: string) => ({
  switches: { ...defaultSwitches(dynamodbAdapter.model.switches), ...(value ? { [QUESTION]: value } : {}) },
  consistency: 'strict' as const,
  account: REFERENCE_ACCOUNT,
  region: 'us-east-1',
});

describe('a witness that departs whatever the answer to an open question', () => {
  it.each(SEEDS)('seed %i: ddb.createtable.policy-invalid, its witness a free name taking an invalid policy, the question named', async (seed) => {
    const result = await runAgainstReference(dynamodbAdapter, { seed }, MUTANT);
    expect(result.divergences.map((d) => d.rule)).toEqual(['ddb.createtable.policy-invalid']);
    const d = result.divergences[0]!;
    expect(d.explainedBy).toBeUndefined();
    expect(d.attribution?.independentOf).toEqual([QUESTION]);
    const last = d.steps.at(-1)!;
    expect(last.operation).toBe('CreateTable');
    expect(last.outcome.kind).toBe('ok');
    // The report says why this witness, not the first failing sequence.
    const md = renderMarkdown({ target: 'reference', seed, consistency: 'strict', startedAt: new Date(0).toISOString(), services: [result] });
    expect(md).toContain(`one reading of \`${QUESTION}\` only; the target also fails that question's premise`);
    // The witness departs, offline, under every reading of the question — not only the default.
    for (const value of dynamodbAdapter.model.switches.find((s) => s.name === QUESTION)!.values) {
      expect(replayOffline(dynamodbAdapter.model as never, settingsWith(value), undefined, d.steps).divergence, value).not.toBeNull();
    }
  });
});
