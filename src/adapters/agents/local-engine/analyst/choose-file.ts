/** Which table a question is about: one it names, else the one the conversation is on, else the newest. */
import type { AnalystInput } from "../types";
import { isFiller } from "./parse/words";
import { isPlainFileName, isTabularFile } from "./python";

export interface FileChoice {
  /** The table to use, if there is one. */
  file?: string;
  /** Tables to try next when the question names no column of `file`, newest first. */
  others: string[];
  /** Other tables that came with this message. */
  alsoNew: string[];
  /** Files of this message that are not tables. */
  notTables: string[];
}

function stem(name: string): string {
  return name.replace(/\.[^.]+$/, "").toLowerCase();
}

/** The question names the file, with or without its extension ("in sales.csv", "the sales table"). */
function names(question: string, file: string): boolean {
  if (question.includes(file.toLowerCase())) return true;
  const s = stem(file);
  if (s.length < 3 || isFiller(s)) return false;
  const escaped = s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, "u").test(question);
}

/**
 * @param uploads Tables shared in this session, oldest first (this message's files included).
 * @param current The table the conversation was last about.
 */
export function chooseFile(
  input: Pick<AnalystInput, "question" | "newFiles" | "files">,
  uploads: string[],
  current?: string,
): FileChoice {
  const present = new Set(input.files.map((f) => f.name));
  const usable = (n: string) => isPlainFileName(n) && isTabularFile(n);
  const listed = input.files.map((f) => f.name).filter(usable);
  // Newest first: what this session saw uploaded, then anything else the session holds.
  const byRecency = [...new Set([...uploads.filter((n) => present.has(n)).reverse(), ...listed.reverse()])];
  const newTables = input.newFiles.filter(usable);
  const notTables = input.newFiles.filter((n) => !isTabularFile(n));
  const question = input.question.toLowerCase();
  const named = byRecency.filter((n) => names(question, n)).sort((a, b) => b.length - a.length)[0];
  const file =
    named ??
    newTables[newTables.length - 1] ??
    (current && present.has(current) ? current : undefined) ??
    byRecency[0];
  return {
    file,
    others: named ? [] : byRecency.filter((n) => n !== file),
    alsoNew: newTables.filter((n) => n !== file),
    notTables,
  };
}
