import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssmAdapter } from '../../harness/adapters/ssm.js';
import { type ManagedProcess, startMoto } from '../../harness/emulators/moto.js';
import type { ServiceResult } from '../../harness/results.js';
import { runService } from '../../harness/runner.js';
import type { SsmCommand } from '../../generators/ssm.js';
import { Checker } from '../../models/checker.js';
import { defaultSwitches } from '../../models/types.js';
import { endpointAt, options } from '../support/reference.js';

const POLICY_OPERATIONS = ['DeleteResourcePolicy', 'GetResourcePolicies', 'PutResourcePolicy'];
const PARAMETER_RULES = ['ssm.putparameter.', 'ssm.deleteparameter.'];

/**
 * moto 5.2.5 implements SSM parameters but none of the resource-policy operations: each answers HTTP 500 with a
 * Werkzeug HTML page (NotImplementedError), which harness/observe.ts classifies as 'unsupported'. Discovery
 * tolerates that (the OpsItemGroup listing is unsupported, so the run starts from an empty OpsItemGroup) and every
 * sequence runs, so the report names the three missing operations while PutParameter/DeleteParameter are judged.
 */
describe('SSM suite against moto', () => {
  let moto: ManagedProcess | undefined;
  let result: ServiceResult;

  beforeAll(async () => {
    moto = await startMoto();
    result = await runService(ssmAdapter, endpointAt(moto.endpoint), options({ runs: 40, maxDivergences: 30 }));
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  }, 30_000);

  it('classifies the service as unsupported, naming the three resource-policy operations', () => {
    expect(result.verdict).toBe('unsupported');
    expect(result.unsupportedOperations).toEqual(POLICY_OPERATIONS);
    expect(result.reason).toBe(`not implemented by the target: ${POLICY_OPERATIONS.join(', ')}`);
  });

  it('reports no divergence on a policy operation, no infrastructure failure and no faults', () => {
    expect(result.verdict).not.toBe('infra');
    expect(result.faults).toBe(0);
    const rules = Object.keys(ssmAdapter.model.rules);
    for (const d of result.divergences) {
      expect(rules).toContain(d.rule);
      expect(POLICY_OPERATIONS).not.toContain(d.steps.at(-1)!.operation);
    }
    expect(result.divergences).toEqual([]);
  });

  it('judges the parameter calls moto does implement', () => {
    expect(result.rulesReached.length).toBeGreaterThan(0);
    for (const r of result.rulesReached) expect(PARAMETER_RULES.some((p) => r.startsWith(p)), r).toBe(true);
    expect(result.rulesReached).toEqual(expect.arrayContaining(['ssm.putparameter.create', 'ssm.putparameter.overwrite', 'ssm.deleteparameter.delete']));
  });

  it('catches what moto gets wrong about parameters: an Advanced parameter overwritten as Standard', async () => {
    // Found by larger budgets (e.g. 200 runs); checked directly here so the 40-run verdict above stays 'unsupported'.
    const connection = ssmAdapter.connect(endpointAt(moto!.endpoint), { settleMs: 0, waitSeconds: 30 });
    try {
      const discovered = await connection.discover(`pcmoto${Date.now().toString(36)}`);
      if ('failure' in discovered) throw new Error(`discovery failed: ${JSON.stringify(discovered.failure)}`);
      const sequence = connection.sequence(`pcmoto${Date.now().toString(36)}x`, discovered.identity);
      const model = ssmAdapter.model;
      const checker = new Checker(model, { switches: defaultSwitches(model.switches), consistency: 'strict', ...discovered.identity }, discovered.initialState);
      const commands: SsmCommand[] = [
        { op: 'PutParameter', slot: 'p0', tier: 'Advanced' },
        { op: 'PutParameter', slot: 'p0', tier: 'Standard', overwrite: true },
      ];
      const verdicts = [];
      for (const command of commands) {
        const request = sequence.request(command);
        const outcome = await sequence.send(request);
        verdicts.push(checker.observe(request, outcome));
        sequence.learn(request, outcome);
      }
      await sequence.cleanup();
      expect(verdicts[0]).toEqual({ status: 'match', rules: ['ssm.putparameter.create'] });
      expect(verdicts[1]).toMatchObject({ status: 'diverged', rule: 'ssm.putparameter.downgrade' });
    } finally {
      connection.close();
    }
  });
});
