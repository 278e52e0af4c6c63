import fc from 'fast-check';

/** Which revision id / hash a conditional write sends; the harness resolves it from what the target returned. */
export type RevisionChoice =
  | { kind: 'current' }
  | { kind: 'stale' }
  | { kind: 'random'; value: string }
  | { kind: 'sentinel'; value: string };

export function revisionChoice(sentinels: readonly string[]): fc.Arbitrary<RevisionChoice> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'current' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'stale' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), value: fc.stringMatching(/^[0-9]{13}$/) }) },
    ...sentinels.map((value) => ({ weight: 3, arbitrary: fc.constant({ kind: 'sentinel' as const, value }) })),
  );
}

/** What the harness remembers of one resource's revisions, in the order it saw them. */
export interface RevisionMemory {
  current?: string;
  seen: string[];
}

export function resolveRevision(choice: RevisionChoice, memory: RevisionMemory | undefined): string {
  switch (choice.kind) {
    case 'current':
      return memory?.current ?? memory?.seen.at(-1) ?? 'never-issued-revision';
    case 'stale': {
      const older = memory?.seen.filter((r) => r !== memory.current) ?? [];
      return older.at(-1) ?? '0000000000000';
    }
    case 'random':
    case 'sentinel':
      return choice.value;
  }
}

export function rememberRevision(memory: Map<string, RevisionMemory>, resource: string, revision: string | undefined): void {
  const entry = memory.get(resource) ?? { seen: [] };
  entry.current = revision;
  if (revision !== undefined && !entry.seen.includes(revision)) entry.seen.push(revision);
  memory.set(resource, entry);
}
