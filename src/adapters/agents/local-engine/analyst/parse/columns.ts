/**
 * Loose column matching: "revenue" finds `Revenue ($)`, "max temp" finds `temp_max`, "mpg" finds
 * `Miles_per_Gallon`, "body mass" finds `Body Mass (g)`. Case, spaces, underscores, punctuation, plurals,
 * currency signs and units do not matter.
 */
import type { ColumnInfo } from "../data-schema";
import { isFiller, isKeyword, singular, tokenize } from "./words";

const UNITS = new Set(
  "usd eur gbp jpy chf cad aud inr cny dollar dollars euro euros mm cm km kg g lb lbs oz ft pct percent sec ms hrs kwh mwh gwh c f".split(
    " ",
  ),
);

/** The words of a name, and the same without units: `Weight_in_lbs` → [weight, in, lb] and [weight]. */
export interface NameForms {
  lower: string;
  full: string[];
  core: string[];
}

function nameForms(name: string): NameForms {
  const full = tokenize(name.replace(/[$€£¥%#]/g, " "))
    .filter((t) => t !== ";")
    .map(singular);
  let core = tokenize(name.replace(/\([^)]*\)|\[[^\]]*\]/g, " ").replace(/[$€£¥%#]/g, " "))
    .filter((t) => t !== ";")
    .map(singular);
  if (core.length >= 3 && core[core.length - 2] === "in" && UNITS.has(core[core.length - 1] as string)) {
    core = core.slice(0, -2);
  } else if (core.length >= 2 && UNITS.has(core[core.length - 1] as string)) {
    core = core.slice(0, -1);
  }
  if (core.length === 0) core = full;
  return { lower: name.trim().toLowerCase(), full, core };
}

/** The same word, or one is an abbreviation of the other ("temp"/"temperature", "max"/"maximum"). */
function wordMatches(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.startsWith(short);
}

/** Each phrase word pairs with a different target word. */
function allPaired(phrase: string[], target: string[]): boolean {
  const used = new Set<number>();
  return phrase.every((word) => {
    const i = target.findIndex((t, k) => !used.has(k) && wordMatches(word, t));
    if (i < 0) return false;
    used.add(i);
    return true;
  });
}

/** How well a phrase's words name a target's words, 0…100. */
function wordsScore(phrase: string[], target: string[]): number {
  if (phrase.length === 0 || target.length === 0) return 0;
  if (phrase.join(" ") === target.join(" ")) return 100;
  if (phrase.join("") === target.join("")) return 95;
  if (phrase.length === target.length && [...phrase].sort().join(" ") === [...target].sort().join(" "))
    return 92;
  if (phrase.length === target.length && allPaired(phrase, target)) return 85;
  if (phrase.length === 1 && target.length >= 2 && target.map((t) => t[0]).join("") === phrase[0]) return 80;
  if (phrase.length < target.length && allPaired(phrase, target))
    return 60 + (20 * phrase.length) / target.length;
  return 0;
}

/** How well a phrase (already tokenized) names a column, 0…100. */
function columnScore(phrase: string[], column: string): number {
  const forms = nameForms(column);
  const words = phrase.map(singular);
  if (words.join(" ") === forms.lower) return 100;
  return Math.max(wordsScore(words, forms.full), wordsScore(words, forms.core) - 1);
}

export interface ColumnMatch {
  column: ColumnInfo;
  score: number;
}

/** All columns a phrase could name, best first; ties keep the table's order. */
export function rankColumns(phrase: string, columns: ColumnInfo[], minScore = 60): ColumnMatch[] {
  const lower = phrase.trim().toLowerCase();
  const words = tokenize(phrase).filter((t) => t !== ";" && !isFiller(t));
  return columns
    .map((column) => ({
      column,
      score: column.name.trim().toLowerCase() === lower ? 101 : columnScore(words, column.name),
    }))
    .filter((m) => m.score >= minScore)
    .sort((a, b) => b.score - a.score);
}

/**
 * The column a phrase names, or undefined. Among equally good matches, `prefer` picks (say numbers for a
 * measure).
 */
export function matchColumn(
  phrase: string,
  columns: ColumnInfo[],
  prefer?: (c: ColumnInfo) => boolean,
): ColumnInfo | undefined {
  const ranked = rankColumns(phrase, columns);
  const best = ranked[0];
  if (!best) return undefined;
  const tied = ranked.filter((m) => m.score === best.score);
  return (prefer && tied.find((m) => prefer(m.column))?.column) ?? best.column;
}

/** A run of question words that names a column. */
export interface Mention {
  /** Token positions [start, end). */
  start: number;
  end: number;
  /** Equally good candidates, best first. */
  columns: ColumnInfo[];
  score: number;
}

const MAX_WINDOW = 6;

/**
 * Finds the columns a tokenized question names, left to right, without overlaps. Longer and closer matches win;
 * a run made only of request words ("count", "year") names a column only when the column is called that.
 */
export function findMentions(tokens: string[], columns: ColumnInfo[]): Mention[] {
  const found: Mention[] = [];
  for (let start = 0; start < tokens.length; start++) {
    for (let end = start + 1; end <= Math.min(tokens.length, start + MAX_WINDOW); end++) {
      const words = tokens.slice(start, end);
      if (words.includes(";")) break;
      // A run that starts or ends with a filler ("us gross", "time of day") names a column only exactly.
      const edgeFiller = isFiller(words[0] as string) || isFiller(words[words.length - 1] as string);
      const onlyRequestWords = words.every((w) => isKeyword(w) || isFiller(w));
      const minScore = edgeFiller ? 95 : onlyRequestWords ? 90 : 60;
      let best = 0;
      let matches: ColumnInfo[] = [];
      for (const column of columns) {
        const score = columnScore(words, column.name);
        if (score < minScore || score < best) continue;
        if (score > best) matches = [];
        best = score;
        matches.push(column);
      }
      if (matches.length > 0) found.push({ start, end, columns: matches, score: best });
    }
  }
  // Close matches first, and among them the longest ("unit price" before "unit"); then loose ones.
  const close = (m: Mention) => (m.score >= 90 ? 1 : 0);
  found.sort(
    (a, b) =>
      close(b) - close(a) || b.end - b.start - (a.end - a.start) || b.score - a.score || a.start - b.start,
  );
  const chosen: Mention[] = [];
  for (const m of found) {
    if (chosen.some((c) => m.start < c.end && c.start < m.end)) continue;
    chosen.push(m);
  }
  return chosen.sort((a, b) => a.start - b.start);
}
