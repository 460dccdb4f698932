/** Python for distributions and relations: histograms, scatter plots, correlation (a pair or a matrix). */
import { type DataSchema, columnByName, mainDate } from "../data-schema";
import { filtersLabel } from "../labels";
import type { CorrelationPlan, HistogramPlan, ScatterPlan } from "../plan";
import { ACCENT, COLOR, finishLines, newFigure, titleLines } from "./figure-code";
import { selectRows } from "./filter-code";
import { BIN_HELPERS } from "./bins";
import { col, pyNum, pyStr, pyStrList } from "./literals";
import { PRINT_SCOPE, scopeLines } from "./scope-code";

/** Most groups drawn in one histogram or scatter plot. */
const GROUP_LIMIT = 8;

function subtitleOf(plan: { filters: HistogramPlan["filters"] }): string | undefined {
  return plan.filters.length ? `(${filtersLabel(plan.filters)})` : undefined;
}

/** The date column whose span bounds the rows (the main one). */
function spanOf(schema: DataSchema): string | undefined {
  return mainDate(schema)?.name;
}

export function histogramCell(plan: HistogramPlan, schema: DataSchema): string {
  const { frame, lines } = selectRows(plan.filters);
  lines.push(...scopeLines({ frame, span: spanOf(schema), measures: [plan.column] }), ...BIN_HELPERS);
  const title = `Distribution of ${plan.column}${plan.group ? ` by ${plan.group}` : ""}`;
  const values = col(frame, plan.column);
  lines.push(`bins = nice_edges(${values}.dropna(), ${pyNum(plan.bins)})`);
  if (plan.group) {
    lines.push(
      `counts = ${col(frame, plan.group)}.value_counts()`,
      `groups = counts[counts > 0].index[:${GROUP_LIMIT}]`,
      "",
      newFigure(10, 6),
      "for name in groups:",
      `    values = ${frame}.loc[${col(frame, plan.group)} == name, ${pyStr(plan.column)}].dropna()`,
      '    ax.hist(values, bins=bins, alpha=0.5, edgecolor="white", label=str(name))',
      ...titleLines(title, subtitleOf(plan), plan.column, "Number of rows"),
      `ax.legend(title=${pyStr(plan.group)})`,
      ...finishLines("y"),
      "",
      `summary = ${frame}.groupby(${pyStr(plan.group)}, observed=True)[${pyStr(plan.column)}].describe().loc[groups]`,
      PRINT_SCOPE,
      'print(summary.to_json(orient="split"))',
    );
    return lines.join("\n");
  }
  lines.push(
    `values = ${values}.dropna()`,
    "",
    newFigure(10, 6),
    `ax.hist(values, bins=bins, color="${COLOR}", edgecolor="white")`,
    "ax.set_xlim(bins[0], bins[-1])",
    ...titleLines(title, subtitleOf(plan), plan.column, "Number of rows"),
    ...finishLines("y"),
    "",
    PRINT_SCOPE,
    "print(values.describe().to_json())",
  );
  return lines.join("\n");
}

function pointStyle(schema: DataSchema): string {
  return schema.rows > 5000 ? "s=6, alpha=0.3" : "s=20, alpha=0.6";
}

export function scatterCell(plan: ScatterPlan, schema: DataSchema): string {
  const group =
    plan.group && (columnByName(schema, plan.group)?.unique ?? Infinity) <= GROUP_LIMIT
      ? plan.group
      : undefined;
  const columns = [plan.x, plan.y, ...(group ? [group] : [])];
  const x = col("points", plan.x);
  const y = col("points", plan.y);
  const { frame, lines } = selectRows(plan.filters);
  lines.push(
    `points = ${frame}[${pyStrList(columns)}].dropna()`,
    ...scopeLines({ frame: "points", measures: [] }),
  );
  lines.push("", newFigure(10, 6));
  if (group) {
    lines.push(
      `for name, group in points.groupby(${pyStr(group)}, observed=True):`,
      `    ax.scatter(group[${pyStr(plan.x)}], group[${pyStr(plan.y)}], ${pointStyle(schema)}, label=str(name))`,
      `ax.legend(title=${pyStr(group)})`,
    );
  } else {
    lines.push(`ax.scatter(${x}, ${y}, ${pointStyle(schema)}, color="${COLOR}")`);
  }
  lines.push(
    ...titleLines(`${plan.y} vs ${plan.x}`, subtitleOf(plan), plan.x, plan.y),
    ...finishLines("both"),
    "",
    PRINT_SCOPE,
    `print(json.dumps({"points": len(points), "r": ${x}.corr(${y})}))`,
  );
  return lines.join("\n");
}

export function correlationCell(plan: CorrelationPlan, schema: DataSchema): string {
  const { frame, lines } = selectRows(plan.filters);
  if (plan.columns.length === 2) {
    const [xName, yName] = plan.columns as [string, string];
    const x = col("points", xName);
    const y = col("points", yName);
    lines.push(
      `points = ${frame}[${pyStrList([xName, yName])}].dropna()`,
      ...scopeLines({ frame: "points", measures: [] }),
      `r = ${x}.corr(${y})`,
      `slope, intercept = np.polyfit(${x}, ${y}, 1)`,
      "",
      newFigure(10, 6),
      `ax.scatter(${x}, ${y}, ${pointStyle(schema)}, color="${COLOR}")`,
      `xs = np.linspace(${x}.min(), ${x}.max(), 100)`,
      `ax.plot(xs, slope * xs + intercept, color="${ACCENT}", linewidth=2, label=f"Trend (r = {r:.2f})")`,
      "ax.legend()",
      ...titleLines(`Correlation of ${xName} and ${yName}`, subtitleOf(plan), xName, yName),
      ...finishLines("both"),
      "",
      PRINT_SCOPE,
      'print(json.dumps({"points": len(points), "r": r, "slope": slope, "intercept": intercept}))',
    );
    return lines.join("\n");
  }
  const size = Math.min(12, 4 + plan.columns.length * 0.7);
  lines.push(...scopeLines({ frame, measures: [] }));
  lines.push(
    `matrix = ${frame}[${pyStrList(plan.columns)}].corr()`,
    "",
    newFigure(Number(size.toFixed(1)), Number((size * 0.85).toFixed(1))),
    'image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1)',
    'ax.set_xticks(range(len(matrix)), matrix.columns, rotation=45, ha="right")',
    "ax.set_yticks(range(len(matrix)), matrix.columns)",
    "for i in range(len(matrix)):",
    "    for j in range(len(matrix)):",
    "        value = matrix.iloc[i, j]",
    '        color = "white" if abs(value) > 0.6 else "black"',
    '        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=color, fontsize=9)',
    'fig.colorbar(image, ax=ax, label="Correlation (Pearson r)")',
    `ax.set_title(${pyStr(subtitleOf(plan) ? `Correlation between number columns\n${subtitleOf(plan)}` : "Correlation between number columns")})`,
    "fig.tight_layout()",
    "",
    PRINT_SCOPE,
    'print(matrix.to_json(orient="split"))',
  );
  return lines.join("\n");
}
