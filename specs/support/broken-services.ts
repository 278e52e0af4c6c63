/**
 * Stands in for harness/services.ts in a CLI child process started with specs/support/broken-model-hooks.mjs:
 * the same adapters, except DynamoDB's model is broken as POLICY_CONFORMANCE_TEST_BREAKAGE says (see broken-model.ts).
 */
import { ADAPTERS as REAL } from '../../harness/services.js';
import type { ServiceAdapter } from '../../harness/service.js';
import type { ServiceName } from '../../models/types.js';
import { type Breakage, brokenDynamodbAdapter } from './broken-model.js';

const how = (process.env.POLICY_CONFORMANCE_TEST_BREAKAGE ?? 'throw') as Breakage;

export const ADAPTERS: readonly ServiceAdapter[] = REAL.map((a) => (a.service === 'dynamodb' ? brokenDynamodbAdapter(how) : a));

export function adapterFor(service: ServiceName): ServiceAdapter | undefined {
  return ADAPTERS.find((a) => a.service === service);
}
