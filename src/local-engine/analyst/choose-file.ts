/** Which file a question is about: one it names, else the table shared last in the conversation. */
import type { AnalystInput } from "../types";
import { isFiller } from "./parse/words";
import { isPlainFileName, isTabularFile } from "./python";

export interface FileChoice {
  /** The table to use, if there is one. */
  file?: string;
  /** Other tables that came with this message. */
  alsoNew: string[];
  /** Files of this message that are not tables. */
  notTables: string[];
}

function stem(name: string): string {
  return name.replace(/\.[^.]+$/, "").toLowerCase();
}

/** The question names the file, with or without its extension ("in sales.csv", "the sales table"). */
function mentions(question: string, name: string): boolean {
  if (question.includes(name.toLowerCase())) return true;
  const s = stem(name);
  if (s.length < 3 || isFiller(s)) return false;
  return new RegExp(
    `(^|[^\\p{L}\\p{N}])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}\\p{N}])`,
    "u",
  ).test(question);
}

/**
 * @param lastUsed The table this session answered about last time, if known.
 */
export function chooseFile(
  input: Pick<AnalystInput, "question" | "newFiles" | "files">,
  lastUsed?: string,
): FileChoice {
  const present = new Set(input.files.map((f) => f.name));
  const tables = input.files.map((f) => f.name).filter((n) => isPlainFileName(n) && isTabularFile(n));
  const newTables = input.newFiles.filter((n) => isTabularFile(n) && isPlainFileName(n));
  const notTables = input.newFiles.filter((n) => !isTabularFile(n));
  const question = input.question.toLowerCase();
  const named = tables.filter((n) => mentions(question, n)).sort((a, b) => b.length - a.length)[0];
  const file =
    named ??
    newTables[newTables.length - 1] ??
    (lastUsed && present.has(lastUsed) ? lastUsed : undefined) ??
    tables[tables.length - 1];
  return { file, alsoNew: newTables.filter((n) => n !== file), notTables };
}
