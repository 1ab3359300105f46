/**
 * The layout of kubectl's table printer: text/tabwriter (github.com/liggitt/tabwriter) with minwidth 6,
 * padding 3 and ' ' as the pad character. Every cell but the last of a line is padded to its column's width,
 * which is max(longest cell + 3, 6); the last cell is written as is. Widths count runes, as tabwriter does.
 * Trailing blanks (an empty last cell) are trimmed. `kubectl describe` lays out with minwidth 0 and
 * padding 2 (`DESCRIBE_LAYOUT`).
 */
const MIN_WIDTH = 6;
const PADDING = 3;

/** kubectl describe's tabwriter (describe.go tabbedString: minwidth 0, padding 2). */
export const DESCRIBE_LAYOUT = { minWidth: 0, padding: 2 } as const;

const runeLength = (s: string): number => Array.from(s).length;

export const renderTabbed = (lines: readonly (readonly string[])[], layout: { minWidth: number; padding: number } = { minWidth: MIN_WIDTH, padding: PADDING }): string =>
  renderWithWidths(lines, layout, []);

/** Lay `lines` out with each column at least as wide as `widths` says, and widen `widths` to what they took. */
const renderWithWidths = (lines: readonly (readonly string[])[], layout: { minWidth: number; padding: number }, widths: number[]): string => {
  for (const cells of lines) {
    for (let i = 0; i < cells.length - 1; i++) {
      const w = Math.max(runeLength(cells[i] ?? '') + layout.padding, layout.minWidth);
      if (w > (widths[i] ?? 0)) widths[i] = w;
    }
  }
  let out = '';
  for (const cells of lines) {
    let line = '';
    cells.forEach((c, i) => {
      line += i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - runeLength(c));
    });
    out += line.replace(/ +$/, '') + '\n';
  }
  return out;
};

/**
 * kubectl's table writer across flushes (printers.GetNewTabWriter: liggitt/tabwriter with `RememberWidths`):
 * a column is never narrower than it was in an earlier flush, so the rows `kubectl get -w` prints one at a
 * time line up with the header and with each other, widening when a longer cell comes.
 */
export class TabWriter {
  private readonly widths: number[] = [];

  /** The lines of one flush, laid out with the widths remembered so far (and remembering theirs). */
  write(lines: readonly (readonly string[])[]): string {
    return renderWithWidths(lines, { minWidth: MIN_WIDTH, padding: PADDING }, this.widths);
  }
}
