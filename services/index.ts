/**
 * The one list of services. A new service is a folder under services/ (its index.ts defines it) and one line here;
 * everything else — the CLI's --services, the reference server, targets' claims, reports — reads this list.
 */
import type { ServiceDefinition } from '../harness/service.js';
import { dynamodb } from './dynamodb/index.js';
import { kinesis } from './kinesis/index.js';
import { ssm } from './ssm/index.js';
import { xray } from './xray/index.js';

export const SERVICES: readonly ServiceDefinition[] = [dynamodb, kinesis, ssm, xray];

/** The services' names, in list order. */
export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

export function serviceNamed(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}

/** The services an emulator says it serves (see ServiceDefinition.claimedBy). */
export function claimedBy(emulator: string): string[] {
  return SERVICES.filter((s) => s.claimedBy.includes(emulator)).map((s) => s.name);
}
