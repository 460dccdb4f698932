/** The problems configuration validation reports for an environment (none when it is valid). */
import { ConfigError, loadConfig } from "../../src/config";

export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, "/srv/databot");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
