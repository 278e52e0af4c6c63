import type { AllowedOutcome } from '../models/checker.js';
import type { Consistency, Evidence, Json, JsonObject, Observation, ServiceName, SwitchSettings } from '../models/types.js';

export type Verdict = 'pass' | 'fail' | 'infra' | 'unsupported';

export interface Step {
  operation: string;
  input: JsonObject;
  outcome: Observation;
  /** Fixture call made before the generated sequence. */
  setup?: boolean;
  /** The model could not judge this answer: it departs on a rule already reported (the state after it is a guess). */
  setAside?: string;
}

export interface Divergence {
  rule: string;
  evidence: Evidence | 'unknown';
  summary: string;
  /** A non-default switch value under which the model accepts this sequence. */
  explainedBy?: { switch: string; value: string };
  expected: AllowedOutcome[];
  actual: Observation;
  steps: Step[];
  /** Generated calls in the shrunk sequence (fixture calls not counted). */
  calls: number;
  /** Earlier-reported rules this sequence passed through: the divergence may be their consequence. */
  afterSetAside: string[];
  replay: string;
  seed: number;
  path: string;
}

export interface ServiceResult {
  service: ServiceName;
  verdict: Verdict;
  /** Why, for infra and unsupported verdicts. */
  reason?: string;
  runs: number;
  calls: number;
  faults: number;
  durationMs: number;
  rulesReached: string[];
  unsupportedOperations: string[];
  /** "AWS, except": switches set away from their default to explain what the target did. */
  profile: SwitchSettings;
  divergences: Divergence[];
}

export interface RunResult {
  target: string;
  seed: number;
  consistency: Consistency;
  mutant?: string;
  startedAt: string;
  services: ServiceResult[];
}

export function overallVerdict(services: readonly ServiceResult[]): Verdict {
  if (services.some((s) => s.verdict === 'infra')) return 'infra';
  if (services.some((s) => s.verdict === 'fail')) return 'fail';
  return services.every((s) => s.verdict === 'unsupported') && services.length > 0 ? 'unsupported' : 'pass';
}

export function asJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}
