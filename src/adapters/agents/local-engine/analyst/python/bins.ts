/**
 * Python for bins people can read: edges on round numbers (…, 10, 20, 30 or 0.25, 0.5), never below zero for
 * values that are not, and labels with just the digits that tell the edges apart.
 */

/** Defines `nice_edges(values, bins)` and `range_labels(edges)` in the cell. */
export const BIN_HELPERS = [
  "def nice_edges(values, bins):",
  '    """About `bins` equal ranges on round edges that hold every value (the last edge lies above the largest)."""',
  "    low, high = float(values.min()), float(values.max())",
  "    if high == low:",
  "        high = low + 1",
  "    raw = (high - low) / bins",
  "    magnitude = 10 ** np.floor(np.log10(raw))",
  "    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)",
  "    start = np.floor(low / step) * step",
  "    count = int(np.floor((high - start) / step)) + 1",
  "    return start + step * np.arange(count + 1)",
  "",
  "",
  "def range_labels(edges):",
  '    """"10 to 20"-style labels with as many decimals as the step needs."""',
  "    step = edges[1] - edges[0]",
  "    decimals = max(0, int(-np.floor(np.log10(step) + 1e-9)) + (1 if round(step / 10 ** np.floor(np.log10(step)), 6) == 2.5 else 0))",
  '    return [f"{a:,.{decimals}f} to {b:,.{decimals}f}" for a, b in zip(edges[:-1], edges[1:])]',
  "",
];
