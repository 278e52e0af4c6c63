import type { ReferenceCodec } from './codec.js';
import { dynamodbCodec } from './dynamodb.js';

/** Every service the reference server speaks; a new service adds its codec here. */
export const REFERENCE_CODECS: readonly ReferenceCodec[] = [dynamodbCodec];
