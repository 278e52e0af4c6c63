/** What `run --plan` found (harness/plan.ts works it out, reports/plan.ts renders it): plain data. */
import type { AwsPrice } from './aws-prices.js';
import type { Consistency, ServiceName } from './types.js';

/** The run's budgets as the plan shows them (harness/halt.ts Budgets). */
export interface PlanBudgets {
  maxCalls?: number;
  maxResources?: number;
  timeLimitMs?: number;
}

export interface ServicePlan {
  service: ServiceName;
  /** Sequences the first round draws (shrinking, witness re-runs and later rounds come on top). */
  sequences: number;
  /** Calls in them: fixture steps (no pool reuse) and generated steps. */
  calls: { fixture: number; generated: number };
  /** Resources they would create, by kind, if every creating call succeeded. */
  created: Record<string, number>;
  /** Of those, the ones AWS bills while they exist, by price item (ServiceAdapter.billedAs). */
  billed: Record<string, number>;
  unreachable: Array<{ rule: string; reason: string }>;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  price: AwsPrice;
}

export interface Plan {
  target: string;
  region: string;
  seed: number;
  runs: number;
  consistency: Consistency;
  safety: { profile: 'full' | 'real-account'; partnerAccounts: string[] };
  budgets: PlanBudgets;
  services: ServicePlan[];
  cost: { lines: CostLine[]; totalUsd: number; hoursPerResource: number; assumption: string };
  prices: AwsPrice[];
}
