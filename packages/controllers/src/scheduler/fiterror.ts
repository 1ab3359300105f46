/** [framework.FitError.Error]: the FailedScheduling message. */

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** `0/<n> nodes are available: <preFilterMsg>.` — a PreFilter plugin rejected the pod for every node. */
export const preFilterFitError = (numAllNodes: number, preFilterMsg: string): string =>
  `0/${numAllNodes} nodes are available: ${preFilterMsg}.`;

/**
 * `0/<n> nodes are available: <count> <reason>, ….` — the reasons of the nodes that were filtered
 * out, each counted once per node, as `<count> <reason>` strings sorted as strings (Go sort.Strings).
 */
export const filterFitError = (numAllNodes: number, nodeReasons: Iterable<string | readonly string[]>): string => {
  const h = new ReasonHistogram();
  for (const r of nodeReasons) h.add(r);
  return h.message(numAllNodes);
};

/** Per-reason node counts, filled while filtering (a node with several reasons counts once for each). */
export class ReasonHistogram {
  private readonly counts = new Map<string, number>();

  add(reasons: string | readonly string[]): void {
    if (typeof reasons === 'string') this.counts.set(reasons, (this.counts.get(reasons) ?? 0) + 1);
    else for (const r of reasons) this.counts.set(r, (this.counts.get(r) ?? 0) + 1);
  }

  message(numAllNodes: number): string {
    const parts = [...this.counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `0/${numAllNodes} nodes are available:${parts.length > 0 ? ` ${parts.join(', ')}.` : ''}`;
  }
}
