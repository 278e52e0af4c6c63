import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamodbAdapter } from '../../harness/adapters/dynamodb.js';
import { type ManagedProcess, startMoto } from '../../harness/emulators/moto.js';
import type { ServiceResult } from '../../harness/results.js';
import { runService } from '../../harness/runner.js';
import { endpointAt, options } from '../support/reference.js';

let moto: ManagedProcess;
let result: ServiceResult;

beforeAll(async () => {
  moto = await startMoto();
  result = await runService(dynamodbAdapter, endpointAt(moto.endpoint), options({ runs: 40, maxDivergences: 30 }));
}, 300_000);

afterAll(async () => {
  await moto?.stop();
});

describe(`DynamoDB suite against a real moto_server`, () => {
  it('completes with divergences, not crashes or infrastructure errors', () => {
    expect(result.verdict).toBe('fail');
    expect(result.faults).toBe(0);
    expect(result.unsupportedOperations).toEqual([]);
    expect(result.divergences.length).toBeGreaterThan(5);
  });

  it('attributes every divergence to a model rule or a switch, once each', () => {
    const rules = dynamodbAdapter.model.rules;
    const switches = dynamodbAdapter.model.switches.map((s) => s.name);
    for (const d of result.divergences) {
      expect(Object.keys(rules)).toContain(d.rule);
      if (d.explainedBy) expect(switches).toContain(d.explainedBy.switch);
      expect(d.steps.length).toBeGreaterThan(0);
      expect(d.replay).toContain('--seed');
    }
    const keys = result.divergences.map((d) => `${d.rule}|${d.explainedBy?.switch ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('finds the departures moto is known to have (docs/moto-dynamodb-observations.md)', () => {
    const found = new Set(result.divergences.map((d) => d.rule));
    // no 20 KB limit, no policy validation, stream ARNs unsupported, Delete without a policy fails
    for (const rule of ['ddb.policy.too-large', 'ddb.policy.not-json', 'ddb.stream.supported', 'ddb.delete.no-policy']) {
      expect(found, `expected a divergence on ${rule}`).toContain(rule);
    }
    const explained = Object.fromEntries(result.divergences.filter((d) => d.explainedBy).map((d) => [d.explainedBy!.switch, d.explainedBy!.value]));
    // moto answers ResourceNotFoundException for every ARN it cannot parse as a table: an UNVERIFIED choice, so a switch.
    expect(explained['ddb.indexArnError']).toBe('ResourceNotFoundException');
    expect(explained['ddb.malformedArnError']).toBe('ResourceNotFoundException');
  });
});
