/** The probes that decide X-Ray's UNVERIFIED switches (rules.ts). */
import type { Calibration } from '../../models/calibration.js';
import { type XrayCommand, xrayTargeted } from './commands.js';

const NAME_A = { kind: 'slot', slot: 'a' } as const;
const sized = (bytes: number): XrayCommand[] => [{ op: 'PutResourcePolicy', name: NAME_A, policy: { kind: 'sized', bytes } }];

export const XRAY_CALIBRATION: Calibration<XrayCommand> = [
  // A Put, then an update: "1" then "2" (counter); an opaque revision id allows those too, so it is the answer only
  // when they are not.
  {
    switch: 'xray.revisionFormat',
    probes: [[...xrayTargeted('xray.revisionFormat', '')!, { op: 'PutResourcePolicy', name: NAME_A, policy: { kind: 'valid', variant: 1, whitespace: 0 } }]],
    lenient: ['opaque'],
  },
  { switch: 'xray.putValidationError', probes: [xrayTargeted('xray.putValidationError', '')!] },
  { switch: 'xray.putRevisionWithoutPolicy', probes: [xrayTargeted('xray.putRevisionWithoutPolicy', '')!] },
  { switch: 'xray.identicalPolicy', probes: [xrayTargeted('xray.identicalPolicy', '')!] },
  { switch: 'xray.listNextToken', probes: [xrayTargeted('xray.listNextToken', '')!] },
  // A Delete of a name without a policy, without and with a PolicyRevisionId: the values differ on one or the other.
  { switch: 'xray.deleteMissing', probes: [xrayTargeted('xray.deleteMissing', 'idempotent')!, xrayTargeted('xray.deleteMissing', 'ok')!] },
  // Both limits' edges, each on a fresh name.
  { switch: 'xray.policySizeLimit', probes: [5000, 5001, 5120, 5121].map(sized) },
];
