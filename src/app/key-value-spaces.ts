import type { KeyValueSpace, KeyValueSpaces } from "../core/ports";

/**
 * The store's key-value spaces as one part of databot sees them: every space it opens is named under its own
 * prefix (`slack.threads`, `teams.code`), so it can neither read nor overwrite another part's values.
 */
export function prefixedSpaces(spaces: KeyValueSpaces, prefix: string): KeyValueSpaces {
  return { space: (name: string): KeyValueSpace => spaces.space(`${prefix}.${name}`) };
}
