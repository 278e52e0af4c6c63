/** The probes that decide SSM's UNVERIFIED switches (rules.ts). */
import type { Calibration } from '../../models/calibration.js';
import { type SsmCommand, ssmTargeted } from './commands.js';

const P0 = { kind: 'parameter', slot: 'p0' } as const;
const LIMITS = ['1024', '2048', '5120', '20480'];

export const SSM_CALIBRATION: Calibration<SsmCommand> = [
  // Each an error code for one call: a too-short ARN, an ARN of another resource type, a Standard-tier parameter, PolicyId without PolicyHash.
  { switch: 'ssm.validationError', probes: [ssmTargeted('ssm.validationError', '')!] },
  { switch: 'ssm.invalidArnError', probes: [ssmTargeted('ssm.invalidArnError', '')!] },
  { switch: 'ssm.standardTierError', probes: [ssmTargeted('ssm.standardTierError', '')!] },
  { switch: 'ssm.partialUpdateError', probes: [ssmTargeted('ssm.partialUpdateError', '')!] },
  // Every limit's edge: a document of exactly that many bytes, and one byte more, each on a fresh parameter (a
  // target whose limit is none of the values fits none: 1025 accepted but 2048 refused).
  { switch: 'ssm.policySizeLimit', probes: LIMITS.flatMap((n) => [[{ op: 'PutResourcePolicy', target: P0, policy: { kind: 'sized', bytes: Number(n) } }], [{ op: 'PutResourcePolicy', target: P0, policy: { kind: 'sized', bytes: Number(n) + 1 } }]] as SsmCommand[][]) },
  // A second policy on a parameter that has one.
  { switch: 'ssm.parameterPolicyLimit', probes: [ssmTargeted('ssm.parameterPolicyLimit', '1')!] },
  // An update with the same document: a new hash or the same; `any` allows both.
  { switch: 'ssm.identicalUpdateHash', probes: [ssmTargeted('ssm.identicalUpdateHash', '')!], lenient: ['any'] },
  // Two valid writes in a row: `on` also allows a MalformedResourcePolicyDocumentException for the call rate, so it
  // is the answer only when a target does refuse one.
  {
    switch: 'ssm.rateLimitErrors',
    probes: [[{ op: 'PutResourcePolicy', target: P0, policy: { kind: 'valid', variant: 0, whitespace: 0 } }, { op: 'PutResourcePolicy', target: { kind: 'parameter', slot: 'p2' }, policy: { kind: 'valid', variant: 1, whitespace: 0 } }]],
    lenient: ['on'],
  },
];
