/** Python for the parts every chart shares: the figure, titles, axis formats and tick labels that stay readable. */
import type { TimeGrain } from "../plan";
import { pyStr } from "./literals";

export const COLOR = "#4C72B0";
export const ACCENT = "#C44E52";

export function newFigure(width = 10, height = 6): string {
  return `fig, ax = plt.subplots(figsize=(${width}, ${height}), dpi=100)`;
}

export function titleLines(
  title: string,
  subtitle: string | undefined,
  xLabel: string,
  yLabel: string,
): string[] {
  const full = subtitle ? `${title}\n${subtitle}` : title;
  return [
    `ax.set_title(${pyStr(full)})`,
    `ax.set_xlabel(${pyStr(xLabel)})`,
    `ax.set_ylabel(${pyStr(yLabel)})`,
  ];
}

/** Real dates on the x-axis, labelled as tersely as the span allows. */
export function dateAxisLines(): string[] {
  return [
    "locator = mdates.AutoDateLocator()",
    "ax.xaxis.set_major_locator(locator)",
    "ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))",
  ];
}

/** strftime patterns for dates used as labels. */
const LABEL_FORMATS: Record<TimeGrain | "exact", string> = {
  day: "%Y-%m-%d",
  week: "%Y-%m-%d",
  month: "%b %Y",
  quarter: "%Y-%m",
  year: "%Y",
  exact: "%Y-%m-%d",
};

/** Python that turns an index of dates into text labels for bars and pies. */
export function dateLabels(index: string, grain: TimeGrain | undefined): string {
  if (grain === "quarter") return `${index}.to_period("Q").astype(str)`;
  return `${index}.strftime(${pyStr(LABEL_FORMATS[grain ?? "exact"])})`;
}

/**
 * Category labels on the x-axis that never overlap: when crowded, about a dozen are shown, slanted.
 * `positions`: the x values are 0…n-1 set by the caller (lines over categories), so the ticks must be set too.
 */
export function tickLabelLines(labels: string, crowded: boolean, positions = false): string[] {
  if (!crowded) return positions ? [`ax.set_xticks(range(len(${labels})), ${labels})`] : [];
  return [
    `step = max(1, (len(${labels}) + 11) // 12)`,
    `ax.set_xticks(range(0, len(${labels}), step), list(${labels})[::step], rotation=45, ha="right")`,
  ];
}

/**
 * Thousands separators on a value axis, and millions or billions written short (1.5M) so the labels of a long
 * axis stay apart; whole numbers only for counts.
 */
export function valueAxisLines(axis: "x" | "y", kind: "count" | "thousands" | "plain"): string[] {
  if (kind === "plain") return [];
  const lines = [
    `ax.${axis}axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v / 1e9:,.1f}B" if abs(v) >= 1e9 else f"{v / 1e6:,.1f}M" if abs(v) >= 1e6 else f"{v:,.0f}"))`,
  ];
  if (kind === "count") lines.unshift(`ax.${axis}axis.set_major_locator(mticker.MaxNLocator(integer=True))`);
  return lines;
}

export function finishLines(gridAxis: "x" | "y" | "both" | "none" = "y"): string[] {
  return [...(gridAxis === "none" ? [] : [`ax.grid(axis="${gridAxis}", alpha=0.3)`]), "fig.tight_layout()"];
}
