/** Cutting the pieces a parser has read out of a question, and reading the numbers typed in it. */

/** Cuts [start, end) out of the text without changing its length, leaving a barrier for the tokenizer. */
export function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ";".padEnd(end - start, " ") + text.slice(end);
}

/** "1,200", "$3.5", "10k" as numbers; undefined for anything else. */
export function parseNumber(text: string): number | undefined {
  const cleaned = text
    .replace(/[$€£¥,%\s]/g, "")
    .replace(/^(-?\d+(?:\.\d+)?)k$/i, (_m, n: string) => String(Number(n) * 1000));
  if (!/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/i.test(cleaned)) return undefined;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : undefined;
}
