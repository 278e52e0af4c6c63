import { describe, expect, it } from 'vitest';
import { fail, ok } from '../../models/branches.js';
import { Checker, type CheckerSettings, ModelError, replayOffline } from '../../models/checker.js';
import type { Branch, Observation, Request, ServiceModel } from '../../models/types.js';

/**
 * A register with one value: Put writes it (refused when the value is "bad"), Get reads it, Delete clears it (an
 * error when it is already empty). Small enough to reason about every world by hand.
 */
interface Reg {
  value: string | null;
}

const toy: ServiceModel<Reg> = {
  service: 'dynamodb',
  rules: {},
  switches: [{ name: 'toy.emptyGet', spec: '', summary: '', values: ['error', 'empty'], default: 'error' }],
  initial: () => ({ value: null }),
  step(state, request, ctx): Branch<Reg>[] {
    const v = request.input.value as string | undefined;
    switch (request.operation) {
      case 'Put':
        if (v === 'bad') return [fail('toy.put.invalid', state, 'ValidationException')];
        return [ok('toy.put.write', { value: v! }, { Revision: { sym: `rev:${v}`, format: { minLength: 1, maxLength: 4 } } })];
      case 'Get':
        if (state.value === null) return ctx.switches['toy.emptyGet'] === 'empty' ? [ok('toy.get.empty', state, { Value: { absent: true } })] : [fail('toy.get.empty', state, 'NotFound')];
        return [ok('toy.get.value', state, { Value: { eq: state.value }, Revision: { sym: `rev:${state.value}` } })];
      case 'Delete':
        if (state.value === null) return [fail('toy.delete.empty', state, 'NotFound')];
        return [ok('toy.delete.clear', { value: null })];
      case 'Many':
        return Array.from({ length: 600 }, (_, i) => ok('toy.many', { value: `v${i}` }));
      default:
        throw new Error(`unknown ${request.operation}`);
    }
  },
  effects(state, request) {
    if (request.operation === 'Put') return [{ value: request.input.value as string }];
    if (request.operation === 'Delete') return [{ value: null }];
    return [];
  },
  focus: (state) => ({ value: state.value }),
};

const settings = (extra: Partial<CheckerSettings> = {}): CheckerSettings => ({ switches: { 'toy.emptyGet': 'error' }, consistency: 'strict', account: '1', region: 'r', ...extra });
const req = (operation: string, value?: string): Request => ({ operation, input: value === undefined ? {} : { value } });
const okay = (output: Record<string, string> = {}): Observation => ({ kind: 'ok', output });
const error = (code: string): Observation => ({ kind: 'error', code, status: 400 });
const step = (operation: string, outcome: Observation, value?: string) => ({ ...req(operation, value), outcome });

describe('checker', () => {
  it('matches allowed answers and binds invented values', () => {
    const c = new Checker(toy, settings());
    expect(c.observe(req('Put', 'x'), okay({ Revision: 'r1' }))).toEqual({ status: 'match', rules: ['toy.put.write'] });
    expect(c.observe(req('Get'), okay({ Value: 'x', Revision: 'r1' })).status).toBe('match');
    expect(c.observe(req('Get'), okay({ Value: 'x', Revision: 'r2' })).status).toBe('diverged');
  });

  it('rejects an invented value outside its documented format, whatever else matches', () => {
    const c = new Checker(toy, settings());
    const v = c.observe(req('Put', 'x'), okay({ Revision: '' }));
    expect(v.status).toBe('diverged');
    expect(new Checker(toy, settings()).observe(req('Put', 'x'), okay({ Revision: 'toolong' })).status).toBe('diverged');
  });

  it('blames the allowed success with the most matching fields, else the most likely answer', () => {
    const c = new Checker(toy, settings());
    c.observe(req('Put', 'x'), okay({ Revision: 'r1' }));
    const v = c.observe(req('Get'), okay({ Value: 'x', Revision: 'zz' }));
    expect(v).toMatchObject({ status: 'diverged', rule: 'toy.get.value' });
    const e = new Checker(toy, settings()).observe(req('Delete'), okay());
    expect(e).toMatchObject({ status: 'diverged', rule: 'toy.delete.empty' });
  });

  it('says what it believed about the resource before the failing step', () => {
    const c = new Checker(toy, settings());
    c.observe(req('Put', 'x'), okay({ Revision: 'r1' }));
    c.observe(req('Get'), error('NotFound'));
    expect(c.believedBefore(req('Get'))).toEqual([{ value: 'x' }]);
  });

  it('after a departure on a set-aside rule keeps every reading of that step: unchanged, its effect, its branches', () => {
    const c = new Checker(toy, settings({ setAside: new Set(['toy.put.invalid']) }));
    expect(c.observe(req('Put', 'bad'), okay({ Revision: 'r9' }))).toEqual({ status: 'indeterminate', reason: 'set-aside', rules: ['toy.put.invalid'] });
    expect(c.believed(req('Get'))).toEqual(expect.arrayContaining([{ value: null }, { value: 'bad' }]));
  });

  it('explains "an error that took effect" by a conjecture at that step, and only there', () => {
    const trace = [step('Put', okay({ Revision: 'r1' }), 'x'), step('Delete', error('NotFound')), step('Get', error('NotFound'))];
    // Delete answered NotFound although a value was there: a departure at step 1, no conjecture needed.
    expect(replayOffline(toy, settings(), undefined, trace).divergence?.at).toBe(1);
    const hidden = [step('Put', okay({ Revision: 'r1' }), 'x'), step('Put', error('ValidationException'), 'bad'), step('Get', okay({ Value: 'bad', Revision: 'r2' }))];
    expect(replayOffline(toy, settings(), undefined, hidden).divergence?.at).toBe(2);
    expect(replayOffline(toy, settings(), undefined, hidden, { at: 1, kind: 'error-with-side-effect' }).divergence).toBeNull();
    expect(replayOffline(toy, settings(), undefined, hidden, { at: 0, kind: 'error-with-side-effect' }).divergence).not.toBeNull();
  });

  it('explains "a success that changed nothing" by a conjecture at that step', () => {
    const trace = [step('Put', okay({ Revision: 'r1' }), 'x'), step('Delete', okay()), step('Get', okay({ Value: 'x', Revision: 'r1' }))];
    expect(replayOffline(toy, settings(), undefined, trace).divergence?.at).toBe(2);
    expect(replayOffline(toy, settings(), undefined, trace, { at: 1, kind: 'success-without-effect' }).divergence).toBeNull();
  });

  it('once a hidden effect is reported, steps under that rule keep both readings and taint the sequence', () => {
    const c = new Checker(toy, settings({ conjectured: [{ rule: 'toy.put.invalid', kind: 'error-with-side-effect' }] }));
    const v = c.observe(req('Put', 'bad'), error('ValidationException'));
    expect(v).toEqual({ status: 'match', rules: ['toy.put.invalid'], conjectured: 'toy.put.invalid' });
    expect(c.believed(req('Get'))).toEqual(expect.arrayContaining([{ value: null }, { value: 'bad' }]));
    const replay = replayOffline(toy, settings({ conjectured: [{ rule: 'toy.put.invalid', kind: 'error-with-side-effect' }] }), undefined, [step('Put', error('ValidationException'), 'bad')]);
    expect(replay.taintedAt).toBe(0);
  });

  it('a model that explodes the set of worlds is a model bug, not a verdict', () => {
    const c = new Checker(toy, settings());
    expect(() => c.observe(req('Many'), { kind: 'fault', reason: 'x', cause: 'server-error' })).toThrow(ModelError);
  });
});
