/**
 * The chat surfaces databot can serve, each built from its own configuration section only: a surface whose
 * section is absent is not configured, so `databot serve` runs every surface that is.
 */
import { createSlackModule, type SlackModuleOptions } from "../adapters/chat/slack";
import { createTeamsModule } from "../adapters/chat/teams";
import { createWebChatModule, webChatRetention } from "../adapters/chat/web";
import type { Config } from "../config";
import type { RetentionTarget } from "../core/ports";
import type { SurfaceDeps, SurfaceModule } from "../adapters/chat/surface-module";

/** A chat surface the server can run: which section of the configuration it reads, and how it is built. */
export interface SurfaceSpec {
  readonly name: string;
  /** The surface's module, or undefined when its configuration section is absent. */
  build(deps: SurfaceDeps, config: Config): SurfaceModule | undefined;
  /**
   * Only what the surface keeps about conversations, without building the surface or any server (for
   * `databot forget`); none when it is not configured or keeps nothing beyond what expires by itself.
   */
  retention(deps: SurfaceDeps, config: Config): readonly RetentionTarget[];
}

/** A surface built from one configuration section (`undefined`: not configured). */
export function surfaceSpec<S>(
  name: string,
  section: (config: Config) => S | undefined,
  create: (deps: SurfaceDeps, section: S) => SurfaceModule,
  retention?: (deps: SurfaceDeps, section: S) => readonly RetentionTarget[],
): SurfaceSpec {
  return {
    name,
    build(deps, config) {
      const own = section(config);
      return own === undefined ? undefined : create(deps, own);
    },
    retention(deps, config) {
      const own = section(config);
      return own === undefined || !retention ? [] : retention(deps, own);
    },
  };
}

const webSurface = (): SurfaceSpec => surfaceSpec("web", (c) => c.web, createWebChatModule, webChatRetention);
export const slackSurface = (options: SlackModuleOptions = {}): SurfaceSpec =>
  surfaceSpec(
    "slack",
    (c) => c.slack,
    (deps, slack) => createSlackModule(deps, slack, options),
  );
export const teamsSurface = (): SurfaceSpec => surfaceSpec("teams", (c) => c.teams, createTeamsModule);

export const BUILT_IN_SURFACES: readonly SurfaceSpec[] = [webSurface(), slackSurface(), teamsSurface()];
