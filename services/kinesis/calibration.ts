/** The probes that decide Kinesis's UNVERIFIED switches (rules.ts): each value is another error code for one call. */
import type { Calibration } from '../../models/calibration.js';
import { type KinCommand, kinesisTargeted } from './commands.js';

const probe = (name: string): Calibration<KinCommand>[number] => ({ switch: name, probes: [kinesisTargeted(name)!] });

export const KINESIS_CALIBRATION: Calibration<KinCommand> = [
  // Delete on a stream without a policy.
  probe('kin.deleteNoPolicyError'),
  // Put of a document that is not JSON.
  probe('kin.invalidPolicyError'),
  // A pattern-breaking ARN ending in a real stream's name, then plain garbage.
  probe('kin.invalidArnError'),
  // A stream ARN of another account.
  probe('kin.unknownArnError'),
];
