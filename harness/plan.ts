/**
 * `run --plan`: what a run would do, worked out without sending a request or writing a file. The sequences are the
 * ones the seed draws (fc.sample gives exactly the cases fast-check's first round tries, as harness/runner.ts relies
 * on for --concurrency); each is counted with its whole fixture, as if the pool reused nothing (the worst case).
 * The cost is a worst-case estimate from AWS's published prices (models/aws-prices.ts).
 */
import fc from 'fast-check';
import { AWS_PRICES, type AwsPrice } from '../models/aws-prices.js';
import type { CostLine, Plan, ServicePlan } from '../models/plan.js';
import type { Consistency, ServiceName } from '../models/types.js';
import type { SafetyProfile } from '../generators/safety.js';
import { serviceNamed } from '../services/index.js';
import type { Budgets } from './halt.js';
import { DUMMY_CREDENTIALS } from './sdk.js';
import { DEFAULT_WAIT_SECONDS } from './service.js';

export interface PlanOptions {
  target: string;
  region: string;
  services: ServiceName[];
  runs: number;
  seed: number;
  consistency: Consistency;
  safety: SafetyProfile;
  budgets: Budgets;
}

/** An endpoint nothing listens on: connecting builds SDK clients only, and the plan never sends through them. */
const NOWHERE = { url: 'http://127.0.0.1:9', region: 'us-east-1', credentials: DUMMY_CREDENTIALS };

function planService(service: ServiceName, o: PlanOptions, prices: Map<string, AwsPrice>): ServicePlan {
  const { adapter } = serviceNamed(service)!;
  // The setup a sequence runs (X-Ray's depends on the policies found in the account: none is the worst case).
  const connection = adapter.connect({ ...NOWHERE, region: o.region }, { settleMs: 0, waitSeconds: DEFAULT_WAIT_SECONDS, safety: o.safety });
  let setup: readonly unknown[];
  try {
    setup = connection.sequence('pcplan000000', { account: o.safety.callerAccount ?? '123456789012', region: o.region }).setup;
  } finally {
    connection.close();
  }
  const cases = fc.sample(adapter.commands(o.consistency, o.safety), { seed: o.seed, numRuns: o.runs });
  const created: Record<string, number> = {};
  const billed: Record<string, number> = {};
  let generated = 0;
  for (const commands of cases) {
    generated += commands.length;
    for (const c of [...setup, ...commands]) {
      const op = (c as { op?: unknown }).op;
      const kind = typeof op === 'string' ? adapter.createdKinds?.[op] : undefined;
      if (kind) created[kind] = (created[kind] ?? 0) + 1;
      const price = adapter.billedAs?.(c);
      if (price) {
        prices.set(price.item, price);
        billed[price.item] = (billed[price.item] ?? 0) + 1;
      }
    }
  }
  return {
    service,
    sequences: cases.length,
    calls: { fixture: setup.length * cases.length, generated },
    created,
    billed,
    unreachable: adapter.unreachableUnder?.(o.safety) ?? [],
  };
}

/** Pure but for building (never using) SDK clients: the plan of a run with these options. */
export function planRun(o: PlanOptions): Plan {
  const prices = new Map<string, AwsPrice>();
  const services = o.services.map((s) => planService(s, o, prices));
  const limitHours = o.budgets.timeLimitMs !== undefined ? Math.ceil(o.budgets.timeLimitMs / 3_600_000) : undefined;
  const hours = Math.max(1, limitHours ?? 1);
  const assumption =
    limitHours !== undefined
      ? `every resource counted above is billed for the whole time limit (${hours} h, rounded up to whole hours), as if none were deleted before the run ends`
      : 'no --time-limit: every resource counted above is billed for one full hour (sequences delete theirs within seconds to minutes)';
  const lines: CostLine[] = [...prices.values()].map((price) => {
    const count = services.reduce((n, s) => n + (s.billed[price.item] ?? 0), 0);
    const unit = price.perHours === 1 ? price.unit.replace(/^per /, '').replace(/-hour$/, '-hours') : `${price.unit.replace(/^per /, '').replace(/-month$/, '')}-hours`;
    return { item: price.item, quantity: count * hours, unit, usd: (count * hours * price.usd) / price.perHours, price };
  });
  return {
    target: o.target,
    region: o.region,
    seed: o.seed,
    runs: o.runs,
    consistency: o.consistency,
    safety: { profile: o.safety.name, partnerAccounts: [...o.safety.partnerAccounts] },
    budgets: o.budgets,
    services,
    cost: { lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0), hoursPerResource: hours, assumption },
    prices: Object.values(AWS_PRICES),
  };
}
