/**
 * Stands in for services/index.ts in a CLI child process started with specs/support/broken-model-hooks.mjs: the
 * same services, except DynamoDB's model is broken as POLICY_CONFORMANCE_TEST_BREAKAGE says (see broken-model.ts).
 */
import type { ServiceDefinition } from '../../harness/service.js';
import { dynamodb } from '../../services/dynamodb/index.js';
import { kinesis } from '../../services/kinesis/index.js';
import { ssm } from '../../services/ssm/index.js';
import { xray } from '../../services/xray/index.js';
import { type Breakage, brokenDynamodbAdapter } from './broken-model.js';

const how = (process.env.POLICY_CONFORMANCE_TEST_BREAKAGE ?? 'throw') as Breakage;

export const SERVICES: readonly ServiceDefinition[] = [{ ...dynamodb, adapter: brokenDynamodbAdapter(how) }, kinesis, ssm, xray];
export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

export function serviceNamed(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}

export function claimedBy(emulator: string): string[] {
  return SERVICES.filter((s) => s.claimedBy.includes(emulator)).map((s) => s.name);
}
