/**
 * Reads environment variables through zod schemas and collects every problem, each naming its variable, so a
 * misconfigured start fails once with the whole list.
 */
import { z } from "zod";

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`databot cannot start; fix the configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Collects problems while sections read their variables. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(readonly env: Env) {}

  /** True when the variable is set to something other than whitespace. */
  has(name: string): boolean {
    return (this.env[name] ?? "").trim() !== "";
  }

  /** Reads a variable with a schema; unset (or blank) variables get `fallback`. */
  read<S extends z.ZodType>(name: string, schema: S, fallback: z.input<S>): z.output<S>;
  read<S extends z.ZodType>(name: string, schema: S): z.output<S> | undefined;
  read<S extends z.ZodType>(name: string, schema: S, fallback?: z.input<S>): z.output<S> | undefined {
    const raw = this.has(name) ? this.env[name]!.trim() : fallback;
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const reason = parsed.error.issues[0]?.message ?? "invalid value";
    this.problems.push(`${name}: ${reason} (got ${describe(name, raw)})`);
    return undefined;
  }

  /** Reads a variable that must be set when `why` applies. */
  require<S extends z.ZodType>(name: string, schema: S, why: string): z.output<S> | undefined {
    if (!this.has(name)) {
      this.problems.push(`${name} is required ${why}`);
      return undefined;
    }
    return this.read(name, schema);
  }

  /** Records a problem that involves several variables. */
  fail(problem: string): void {
    this.problems.push(problem);
  }
}

const SECRET_HINT = /TOKEN|SECRET|PASSWORD|KEY/i;

function describe(name: string, raw: unknown): string {
  if (SECRET_HINT.test(name)) return "a value that is not shown";
  return JSON.stringify(String(raw).slice(0, 60));
}

export const schemas = {
  int: (min: number, max: number) => z.coerce.number().int().min(min).max(max),
  number: (min: number, max: number) => z.coerce.number().min(min).max(max),
  bool: () => z.stringbool(),
  url: () => z.url({ protocol: /^https?$/ }),
  httpsUrl: () => z.url({ protocol: /^https$/ }),
  text: () => z.string().min(1),
  oneOf: <const T extends string>(values: readonly [T, ...T[]]) => z.enum(values),
};

/**
 * A list of ids separated by commas or spaces (an allowlist); undefined when unset. Each id must match
 * `pattern` (after `normalize`); a wrong one is named.
 */
export function readIdList(
  r: EnvReader,
  name: string,
  pattern: RegExp,
  what: string,
  normalize: (id: string) => string = (id) => id,
): string[] | undefined {
  const raw = r.read(name, schemas.text());
  if (raw === undefined) return undefined;
  const ids = raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(normalize);
  const wrong = ids.filter((id) => !pattern.test(id));
  if (wrong.length > 0) {
    r.fail(`${name}: ${wrong.map((id) => JSON.stringify(id.slice(0, 60))).join(", ")} is not ${what}`);
    return undefined;
  }
  if (ids.length === 0) {
    r.fail(`${name}: name at least one id, or leave it unset to allow everyone`);
    return undefined;
  }
  return [...new Set(ids)];
}
