import { Checker, type StepVerdict } from '../../models/checker.js';
import { defaultSwitches, type JsonObject, type Observation, type Outcome, type ServiceModel, type SwitchSettings } from '../../models/types.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A checker with the model's default switches, overridden by `switches`. */
export function checkerFor<S>(model: ServiceModel<S>, switches: SwitchSettings = {}): Checker<S> {
  for (const name of Object.keys(switches)) {
    const known = model.switches.find((s) => s.name === name);
    if (!known || !known.values.includes(switches[name]!)) throw new Error(`unknown switch setting ${name}=${switches[name]}`);
  }
  return new Checker(model, { switches: { ...defaultSwitches(model.switches), ...switches }, consistency: 'strict', account: ACCOUNT, region: REGION });
}

export const okOut = (output: JsonObject = {}): Outcome => ({ kind: 'ok', output });
export const err = (code: string, status = 400): Outcome => ({ kind: 'error', code, status });

/** Drive one call; `operation` and `input` as sent to AWS. */
export function call<S>(checker: Checker<S>, operation: string, input: JsonObject, outcome: Observation): StepVerdict {
  return checker.observe({ operation, input }, outcome);
}

export function policy(sid: string, principal = 'arn:aws:iam::111122223333:root', action: string | string[] = 'kinesis:GetRecords'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: principal }, Action: action, Resource: '*' }],
  });
}
