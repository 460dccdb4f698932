/**
 * Python literals for values that come from outside (file names, column names, words of a question). Every
 * such value enters generated code only through these functions, so a question cannot inject code.
 */

/**
 * A Python string literal. A JSON string is also a valid Python string literal: quotes, backslashes, control
 * characters, line separators and lone surrogates all come out escaped.
 */
export function pyStr(value: string): string {
  return JSON.stringify(value);
}

/** A Python number literal; refuses NaN and infinities, which have no literal. */
export function pyNum(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

/** A Python list of strings. */
export function pyStrList(values: readonly string[]): string {
  return `[${values.map(pyStr).join(", ")}]`;
}

/** `df["column"]`, for any column name. */
export function col(frame: string, name: string): string {
  return `${frame}[${pyStr(name)}]`;
}
