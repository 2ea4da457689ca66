/** Counts occurrences, in first-seen order. */
export function tallyByKind(kinds: string[]): Map<string, number> {
  const tally = new Map<string, number>();
  for (const kind of kinds) tally.set(kind, (tally.get(kind) ?? 0) + 1);
  return tally;
}
