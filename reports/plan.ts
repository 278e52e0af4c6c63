/** `run --plan` as text: what the run would create, its budget, and a worst-case cost with the prices used. Pure. */
import type { Plan } from '../models/plan.js';

const usd = (n: number) => (n === 0 ? '$0.00' : n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`);
const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
/** A unit price, to the tenth of a cent. */
const price = (n: number) => `$${n.toFixed(3)}`;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${s % 3600 ? `${Math.round((s % 3600) / 60)}m` : ''}` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}` : `${s}s`;
}

export function renderPlan(plan: Plan): string {
  const out: string[] = [];
  out.push(`plan for ${plan.target} (${plan.region}), seed ${plan.seed}, ${plan.runs} runs, consistency ${plan.consistency} — nothing was sent, nothing written`);
  out.push(`safety profile: ${plan.safety.profile}${plan.safety.partnerAccounts.length ? ` (partner accounts: ${plan.safety.partnerAccounts.join(', ')})` : ''}`);
  const b = plan.budgets;
  out.push(`call budget: ${b.maxCalls ?? 'none (--max-calls)'}; time limit: ${b.timeLimitMs !== undefined ? duration(b.timeLimitMs) : 'none (--time-limit)'}; resource budget: ${b.maxResources ?? 'none (--max-resources)'}`);
  out.push('');
  out.push('would create (first round, every fixture made afresh, every creating call assumed to succeed):');
  for (const s of plan.services) {
    const kinds = Object.entries(s.created).sort(([a], [b]) => a.localeCompare(b));
    const what = kinds.length ? kinds.map(([k, n]) => plural(n, k)).join(', ') : 'nothing';
    const billed = Object.entries(s.billed);
    const advanced = billed.length ? `; billed while they exist: ${billed.map(([item, n]) => `${n} × ${item.replace(/ \(.*$/, '')}`).join(', ')}` : '';
    out.push(`  ${s.service}: ${plural(s.sequences, 'sequence')}, ${s.calls.fixture + s.calls.generated} calls (${s.calls.fixture} fixture, ${s.calls.generated} generated); ${what}${advanced}`);
    for (const u of s.unreachable) out.push(`    unreachable under ${plan.safety.profile}: ${u.rule} — ${u.reason}`);
  }
  out.push('  (shrinking, witness re-runs, later rounds and waiter polls come on top, within the call budget)');
  const planned = plan.services.reduce((n, s) => n + s.calls.fixture + s.calls.generated, 0);
  if (b.maxCalls !== undefined && planned > b.maxCalls) out.push(`  the first rounds alone plan ${planned} calls, more than the call budget of ${b.maxCalls}: the run stops at the budget, so the counts above are an upper bound`);
  out.push('');
  out.push(`worst-case cost: ${usd(plan.cost.totalUsd)} — ${plan.cost.assumption}`);
  for (const l of plan.cost.lines) out.push(`  ${usd(l.usd)}  ${l.quantity} ${l.unit} × ${price(l.price.usd)} ${l.price.unit}${l.price.assumed ? ' (price assumed)' : ''}  ${l.item}`);
  out.push('');
  out.push('prices (US East, N. Virginia):');
  out.push('  | item | price | source | read | assumed |');
  out.push('  |---|---|---|---|---|');
  for (const p of plan.prices) out.push(`  | ${p.item} | ${price(p.usd)} ${p.unit} | ${p.source} | ${p.read} | ${p.assumed ?? 'no'} |`);
  return `${out.join('\n')}\n`;
}
