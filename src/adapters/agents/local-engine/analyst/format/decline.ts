/**
 * What the analyst says instead of guessing: it computed nothing, what it understood, what it did not, and
 * questions it can answer that come close — to send back as they are.
 */
import type { DataSchema } from "../data-schema";
import type { DeclinePlan } from "../plan";
import { CONNECT_A_MODEL, exampleQuestions } from "./guide";
import { code } from "./markdown";

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.?!)]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function declineText(plan: DeclinePlan, schema?: DataSchema): string {
  if (plan.beyond) {
    const lines = [
      "I can't answer that without a language model: it needs more than the sums, counts, averages, rankings, " +
        "filters and charts the built-in analyst computes.",
    ];
    if (schema) {
      lines.push("", `Columns of **${schema.file}**: ${schema.columns.map((c) => code(c.name)).join(", ")}.`);
      const examples = exampleQuestions(schema).slice(0, 3);
      if (examples.length)
        lines.push("", "Questions I can answer, for example:", ...examples.map((e) => `- "${e}"`));
    }
    return [...lines, "", CONNECT_A_MODEL].join("\n");
  }
  const lines = ["I can't answer that reliably, so I haven't computed anything.", ""];
  if (plan.understood) lines.push(`- I understood: ${sentence(plan.understood)}`);
  const [first, ...rest] = plan.problems;
  if (first) lines.push(`- I didn't understand: ${sentence([first, ...rest].join("; "))}`);
  if (schema)
    lines.push(`- Columns of **${schema.file}**: ${schema.columns.map((c) => code(c.name)).join(", ")}.`);
  const suggestions = plan.suggestions.length
    ? plan.suggestions
    : schema
      ? exampleQuestions(schema).slice(0, 3)
      : [];
  if (suggestions.length) {
    lines.push(
      "",
      plan.suggestions.length ? "Closest questions I can answer:" : "Questions I can answer, for example:",
    );
    lines.push(...suggestions.map((s) => `- "${s}"`));
  }
  return lines.join("\n");
}
