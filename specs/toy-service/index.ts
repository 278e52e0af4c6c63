import { defineService } from '../../harness/service.js';
import { toyAdapter } from './adapter.js';
import { toyCodec } from './codec.js';

/** The toy service's definition: what a fifth service adds to the list in services/index.ts, in one line. */
export const toy = defineService({ adapter: toyAdapter, codec: toyCodec, claimedBy: [] });
