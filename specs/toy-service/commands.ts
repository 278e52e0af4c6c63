import fc from 'fast-check';

export type ToySlot = 'n0' | 'n1';
export type ToyCommand =
  | { op: 'PutNote'; slot: ToySlot; text: 'a' | 'b'; expected?: 'current' | 'stale' }
  | { op: 'GetNote'; slot: ToySlot }
  | { op: 'DeleteNote'; slot: ToySlot };

const slot = fc.constantFrom<ToySlot>('n0', 'n1');

export function toyCommands(): fc.Arbitrary<ToyCommand[]> {
  const command = fc.oneof(
    fc.record({ op: fc.constant('PutNote' as const), slot, text: fc.constantFrom<'a' | 'b'>('a', 'b'), expected: fc.constantFrom<'current' | 'stale' | undefined>(undefined, 'current', 'stale') }, { requiredKeys: ['op', 'slot', 'text'] }),
    fc.record({ op: fc.constant('GetNote' as const), slot }),
    fc.record({ op: fc.constant('DeleteNote' as const), slot }),
  );
  return fc.array(command, { minLength: 1, maxLength: 8 });
}
