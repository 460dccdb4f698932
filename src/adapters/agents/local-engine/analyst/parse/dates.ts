/**
 * Date words in a question: "after 2010", "since 2012-06", "from 2013 on", "in March 2014", "only 2014",
 * "between 2010 and 2012", on the date column they name or the table's main one (or a year column).
 */
import { type ColumnInfo, type DataSchema, isYearLike, mainDate } from "../data-schema";
import type { Filter } from "../plan";
import { findMentions } from "./columns";
import { blank } from "./cut";
import { tokenize } from "./words";

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
export const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
export const YEAR = "(1[0-9]{3}|2[0-9]{3})";
export const ISO_DATE = "(\\d{4}-\\d{2}-\\d{2}|\\d{4}-\\d{2})";

export function monthNumber(word: string): number {
  return MONTHS.findIndex((m) => m.startsWith(word.slice(0, 3))) + 1;
}

/** The column that date words ("after 2010", "where year is 2012") refer to. */
export function timeColumn(schema: DataSchema, text: string): ColumnInfo | undefined {
  const dates = schema.columns.filter((c) => c.kind === "date");
  const named = findMentions(tokenize(text), dates)[0]?.columns[0];
  return named ?? mainDate(schema) ?? schema.columns.find(isYearLike);
}

function yearFilter(column: ColumnInfo, op: Filter["op"], year: number, month?: number): Filter {
  if (column.kind === "number") return { column: column.name, op: op as "eq", number: year };
  return { column: column.name, op: op as "eq", year, ...(month ? { month } : {}) };
}

/** "after 2010", "since 2012-06", "in March 2014", "between 2010 and 2012". */
export function extractTimeWords(text: string, schema: DataSchema): { filters: Filter[]; text: string } {
  const filters: Filter[] = [];
  const column = timeColumn(schema, text);
  if (!column) return { filters, text };
  const cut = (pattern: RegExp, make: (m: RegExpExecArray) => Filter[]) => {
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      filters.push(...make(m));
      text = blank(text, m.index, m.index + m[0].length);
    }
  };
  cut(new RegExp(`\\b(?:between|from)\\s+${YEAR}\\s+(?:and|to|until|through|-)\\s+${YEAR}\\b`), (m) => [
    yearFilter(column, "ge", Number(m[1])),
    yearFilter(column, "le", Number(m[2])),
  ]);
  cut(
    new RegExp(
      `\\b(after|since|from|starting|before|until|till|through|up to)\\s+(?:${ISO_DATE}|${YEAR})\\b`,
    ),
    (m) => {
      const word = m[1] as string;
      const op =
        word === "after" ? "gt" : word === "before" ? "lt" : /since|from|starting/.test(word) ? "ge" : "le";
      if (m[2] && column.kind === "date") return [{ column: column.name, op, date: m[2] }];
      const year = Number((m[3] ?? m[2] ?? "").slice(0, 4));
      return [yearFilter(column, op, year)];
    },
  );
  cut(
    new RegExp(
      `\\b(?:in|during|for|of|only|just)\\s+(?:in\\s+)?(?:the year\\s+)?(?:${MONTH}\\s+)?${YEAR}\\b`,
    ),
    (m) => [
      yearFilter(column, "eq", Number(m[2]), m[1] && column.kind === "date" ? monthNumber(m[1]) : undefined),
    ],
  );
  return { filters, text };
}
