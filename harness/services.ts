import type { ServiceName } from '../models/types.js';
import { dynamodbAdapter } from './adapters/dynamodb.js';
import { kinesisAdapter } from './adapters/kinesis.js';
import { ssmAdapter } from './adapters/ssm.js';
import { xrayAdapter } from './adapters/xray.js';
import type { ServiceAdapter } from './service.js';

/** Every service the suite covers; a new service adds its adapter here. */
export const ADAPTERS: readonly ServiceAdapter[] = [dynamodbAdapter as ServiceAdapter, kinesisAdapter as ServiceAdapter, ssmAdapter as ServiceAdapter, xrayAdapter as ServiceAdapter];

export function adapterFor(service: ServiceName): ServiceAdapter | undefined {
  return ADAPTERS.find((a) => a.service === service);
}
