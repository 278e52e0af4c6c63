/**
 * Resource lifecycle timing (spec §7 item 10): tables, streams and consumers take (simulated) time to become ACTIVE
 * and to be deleted. A create is carried out by the engine at once and then shown CREATING until its drawn time
 * has run; a delete is answered at once (DELETING) but carried out by the engine only when its drawn time has
 * run, so meanwhile the resource is still there for what AWS still serves (Get, DescribeTable). What a service
 * answers in each phase is its own (services/<service>/aws-like.ts `lifecycle.gate`).
 */
import type { Random } from './random.js';
import type { LifecycleHooks, LifecycleSubject, Phase } from './service.js';

interface Transition {
  subject: LifecycleSubject;
  region: string;
  phase: 'creating' | 'deleting';
  until: number;
  hiddenUntil: number;
}

const keyOf = (region: string, s: LifecycleSubject) => `${region} ${s.kind} ${s.id}`;

export class Lifecycle {
  private readonly transitions = new Map<string, Transition>();
  /** Every duration drawn (simulated ms), for specs and docs to compare with. */
  readonly drawn: Array<{ kind: string; id: string; phase: 'creating' | 'deleting'; ms: number }> = [];

  constructor(
    private readonly random: Random,
    private readonly hooks: LifecycleHooks,
  ) {}

  phase(region: string, subject: LifecycleSubject, now: number): Phase {
    const t = this.transitions.get(keyOf(region, subject));
    if (!t || now >= t.until) return 'active';
    if (t.phase === 'creating') return now < t.hiddenUntil ? 'hidden' : 'creating';
    return 'deleting';
  }

  /** Deletions whose time has run out (each to be carried out by the engine now); finished creations are dropped. */
  due(now: number): Array<{ region: string; subject: LifecycleSubject }> {
    const out: Array<{ region: string; subject: LifecycleSubject }> = [];
    for (const [key, t] of this.transitions) {
      if (now < t.until) continue;
      this.transitions.delete(key);
      if (t.phase === 'deleting') out.push({ region: t.region, subject: t.subject });
    }
    return out;
  }

  begin(region: string, subject: LifecycleSubject, phase: 'creating' | 'deleting', now: number): void {
    const kind = this.hooks.kinds.find((k) => k.kind === subject.kind);
    if (!kind) return;
    const ms = this.random.between(...kind[phase]);
    const hidden = phase === 'creating' && kind.hidden ? Math.min(ms, this.random.between(...kind.hidden)) : 0;
    this.drawn.push({ kind: subject.kind, id: subject.id, phase, ms });
    this.transitions.set(keyOf(region, subject), { subject, region, phase, until: now + ms, hiddenUntil: now + hidden });
  }
}
