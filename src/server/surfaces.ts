/**
 * The chat surfaces databot can serve. Each factory returns a module when its configuration is present and
 * undefined otherwise, so `databot serve` runs every surface that is configured.
 */
import { createSlackModule } from "../adapters/slack";
import { createTeamsModule } from "../adapters/teams";
import { createWebChatModule } from "../adapters/web";
import type { Config } from "../config";
import type { SurfaceDeps, SurfaceModule } from "./surface-module";

export type SurfaceFactory = (deps: SurfaceDeps, config: Config) => SurfaceModule | undefined;

export const SURFACE_FACTORIES: SurfaceFactory[] = [
  createWebChatModule,
  createSlackModule,
  createTeamsModule,
];
