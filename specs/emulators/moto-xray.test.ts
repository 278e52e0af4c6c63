import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xrayAdapter } from '../../harness/adapters/xray.js';
import { type ManagedProcess, startMoto } from '../../harness/emulators/moto.js';
import type { ServiceResult } from '../../harness/results.js';
import { runService } from '../../harness/runner.js';
import { endpointAt, options } from '../support/reference.js';

/**
 * moto 5.2.5 has no route for X-Ray's resource-policy operations: POST /ListResourcePolicies (and the others)
 * get a 404 HTML page. Discovery lists the account's policies first, so the whole service is 'unsupported',
 * named after that operation, with nothing judged.
 */
describe('X-Ray suite against moto', () => {
  let moto: ManagedProcess | undefined;
  let result: ServiceResult;

  beforeAll(async () => {
    moto = await startMoto();
    result = await runService(xrayAdapter, endpointAt(moto.endpoint), options({ runs: 40, maxDivergences: 30 }));
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  }, 30_000);

  it('classifies the service as unsupported, naming the missing operation', () => {
    expect(result.verdict).toBe('unsupported');
    expect(result.reason).toMatch(/^ListResourcePolicies \(HTTP 404\): /);
    expect(result.reason).toMatch(/SyntaxError|Deserialization|Unexpected token|not valid JSON/i);
  });

  it('reports no divergence, no infrastructure failure and no faults', () => {
    expect(result.verdict).not.toBe('infra');
    expect(result.divergences).toEqual([]);
    expect(result.faults).toBe(0);
    const rules = Object.keys(xrayAdapter.model.rules);
    for (const d of result.divergences) expect(rules).toContain(d.rule);
    expect(result.rulesReached).toEqual([]);
  });
});
