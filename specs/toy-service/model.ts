/**
 * A fifth service, small enough to read at a glance, living in the test tree: "toy" keeps named notes, each with
 * a revision the service invents. PutNote creates or replaces one (refused when ExpectedRevision is stale),
 * GetNote reads it, DeleteNote removes it. It exists to show that a service is one folder and one line.
 */
import { clone, fail, ok } from '../../models/branches.js';
import { defineRule, type Branch, type JsonObject, type ModelContext, type Request, type Rule, type ServiceModel } from '../../models/types.js';

export interface ToyState {
  seq: number;
  notes: Record<string, { text: string; rev: string }>;
}

export const TOY_RULES: Record<string, Rule> = Object.fromEntries(
  [
    defineRule('toy.put.write', 'assumed', '—', 'PutNote stores the text and returns a new Revision'),
    defineRule('toy.put.stale', 'assumed', '—', 'PutNote with an ExpectedRevision that is not the current one: RevisionMismatch'),
    defineRule('toy.get.note', 'assumed', '—', 'GetNote returns the text and the Revision PutNote returned'),
    defineRule('toy.get.missing', 'assumed', '—', 'GetNote of a note that does not exist: NotFound'),
    defineRule('toy.delete.removes', 'assumed', '—', 'DeleteNote removes the note'),
    defineRule('toy.delete.missing', 'assumed', '—', 'DeleteNote of a note that does not exist: NotFound'),
  ].map((r) => [r.id, r]),
);

const str = (input: JsonObject, key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);

export const toyModel: ServiceModel<ToyState> = {
  service: 'toy',
  rules: TOY_RULES,
  switches: [],
  initial: () => ({ seq: 0, notes: {} }),
  step(state: ToyState, request: Request, ctx: ModelContext): Branch<ToyState>[] {
    const name = str(request.input, 'Name') ?? '';
    const note = state.notes[name];
    switch (request.operation) {
      case 'PutNote': {
        const expected = str(request.input, 'ExpectedRevision');
        if (expected !== undefined && (!note || (ctx.symbols.valueOf(note.rev) ?? expected) !== expected)) return [fail('toy.put.stale', state, 'RevisionMismatch')];
        const next = clone(state);
        next.seq += 1;
        const rev = `rev#${next.seq}`;
        next.notes[name] = { text: str(request.input, 'Text') ?? '', rev };
        return [ok('toy.put.write', next, { Revision: { sym: rev, ...(note ? { distinctFrom: [note.rev] } : {}) } })];
      }
      case 'GetNote':
        return note ? [ok('toy.get.note', state, { Text: { eq: note.text }, Revision: { sym: note.rev } })] : [fail('toy.get.missing', state, 'NotFound')];
      case 'DeleteNote': {
        if (!note) return [fail('toy.delete.missing', state, 'NotFound')];
        const next = clone(state);
        delete next.notes[name];
        return [ok('toy.delete.removes', next)];
      }
      default:
        throw new Error(`toy model: unknown operation ${request.operation}`);
    }
  },
  effects(state, request) {
    const name = str(request.input, 'Name') ?? '';
    if (request.operation === 'PutNote') {
      const next = clone(state);
      next.seq += 1;
      next.notes[name] = { text: str(request.input, 'Text') ?? '', rev: `rev#${next.seq}` };
      return [next];
    }
    if (request.operation === 'DeleteNote' && state.notes[name]) {
      const next = clone(state);
      delete next.notes[name];
      return [next];
    }
    return [];
  },
};
