/** The probes that decide DynamoDB's UNVERIFIED switches (rules.ts); the settled ones (§7) are not calibrated. */
import type { Calibration } from '../../models/calibration.js';
import { type DdbCommand, dynamodbTargeted } from './commands.js';

export const DYNAMODB_CALIBRATION: Calibration<DdbCommand> = [
  // An invalid ResourcePolicy on a free name (refused: the premise), then on the fixture's taken name: refused as invalid or as taken.
  { switch: 'ddb.createTableCheckOrder', probes: [dynamodbTargeted('ddb.createTableCheckOrder')!] },
];
