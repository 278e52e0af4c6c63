import type { ReferenceCodec } from './codec.js';
import { dynamodbCodec } from './dynamodb.js';
import { kinesisCodec } from './kinesis.js';
import { ssmCodec } from './ssm.js';
import { xrayCodec } from './xray.js';

/** Every service the reference server speaks; a new service adds its codec here. */
export const REFERENCE_CODECS: readonly ReferenceCodec[] = [dynamodbCodec, kinesisCodec, ssmCodec, xrayCodec];
