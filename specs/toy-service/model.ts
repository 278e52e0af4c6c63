/**
 * A fifth service, small enough to read at a glance, living in the test tree: "toy" keeps named notes, each with
 * a revision the service invents. PutNote creates or replaces one (refused when ExpectedRevision is stale),
 * GetNote reads it, DeleteNote removes it. It exists to show that a service is one folder and one line.
 */
import { clone, fail, ok, stepByOperation } from '../../models/branches.js';
import { type JsonObject, ruleTable, type ServiceModel } from '../../models/types.js';

export interface ToyState {
  seq: number;
  notes: Record<string, { text: string; rev: string }>;
}

export const TOY_RULES = ruleTable([
  ['toy.put.write', 'assumed', '—', 'PutNote stores the text and returns a new Revision'],
  ['toy.put.stale', 'assumed', '—', 'PutNote with an ExpectedRevision that is not the current one: RevisionMismatch'],
  ['toy.get.note', 'assumed', '—', 'GetNote returns the text and the Revision PutNote returned'],
  ['toy.get.missing', 'assumed', '—', 'GetNote of a note that does not exist: NotFound'],
  ['toy.delete.removes', 'assumed', '—', 'DeleteNote removes the note'],
  ['toy.delete.missing', 'assumed', '—', 'DeleteNote of a note that does not exist: NotFound'],
]);

const str = (input: JsonObject, key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);

export const toyModel: ServiceModel<ToyState> = {
  service: 'toy',
  rules: TOY_RULES,
  switches: [],
  initial: () => ({ seq: 0, notes: {} }),
  step: stepByOperation<ToyState>('toy', {
    PutNote(state, input, ctx) {
      const name = str(input, 'Name') ?? '';
      const note = state.notes[name];
      const expected = str(input, 'ExpectedRevision');
      if (expected !== undefined && (!note || (ctx.symbols.valueOf(note.rev) ?? expected) !== expected)) return [fail('toy.put.stale', state, 'RevisionMismatch')];
      const next = clone(state);
      next.seq += 1;
      const rev = `rev#${next.seq}`;
      next.notes[name] = { text: str(input, 'Text') ?? '', rev };
      return [ok('toy.put.write', next, { Revision: { sym: rev, ...(note ? { distinctFrom: [note.rev] } : {}) } })];
    },
    GetNote(state, input) {
      const note = state.notes[str(input, 'Name') ?? ''];
      return note ? [ok('toy.get.note', state, { Text: { eq: note.text }, Revision: { sym: note.rev } })] : [fail('toy.get.missing', state, 'NotFound')];
    },
    DeleteNote(state, input) {
      const name = str(input, 'Name') ?? '';
      if (!state.notes[name]) return [fail('toy.delete.missing', state, 'NotFound')];
      const next = clone(state);
      delete next.notes[name];
      return [ok('toy.delete.removes', next)];
    },
  }),
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
