import type { ServiceName } from '../models/types.js';
import { dynamodbAdapter } from './adapters/dynamodb.js';
import type { ServiceAdapter } from './service.js';

/** Every service the suite covers; a new service adds its adapter here. */
export const ADAPTERS: readonly ServiceAdapter[] = [dynamodbAdapter as ServiceAdapter];

export function adapterFor(service: ServiceName): ServiceAdapter | undefined {
  return ADAPTERS.find((a) => a.service === service);
}
