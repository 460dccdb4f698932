/**
 * Microsoft Teams for databot: the Bot Framework endpoint `POST /api/messages` (botbuilder's CloudAdapter), the
 * chat surface that answers there, and the signed download route for generated files.
 */
import express from "express";
import type { TeamsConfig } from "../../../config";
import { bodyDeadline } from "../http";
import type { SurfaceDeps, SurfaceModule } from "../surface-module";
import { createBotAuth } from "./auth";
import { keepEntityFields } from "./entity-fields";
import { FileDelivery } from "./file-delivery";
import { FileSpool } from "./file-spool";
import { GraphClient } from "./graph-client";
import { TeamsFetcher, teamsFileHosts } from "./scoped-fetch";
import { TeamsReceiver } from "./receiver";
import { DatabotCloudAdapter, TeamsSender } from "./sender";
import { DOWNLOAD_ROUTE, downloadHandler, LinkSigner } from "./signed-links";
import { TeamsSurface } from "./surface";

const MESSAGES_ROUTE = "/api/messages";
const DAY_MS = 24 * 3600_000;
/** Generated files wait this long for a consent click or a download (never longer than `RETENTION_DAYS`). */
const FILE_TTL_MS = DAY_MS;
const SWEEP_INTERVAL_MS = 3600_000;
/** An activity is at most a megabyte: its body arrives well within this. */
const SMALL_BODY_MS = 30_000;

/** Builds the Teams module from its own configuration section. */
export function createTeamsModule(deps: SurfaceDeps, teams: TeamsConfig): SurfaceModule {
  const { settings } = deps;
  if (!teams.appId && settings.mode !== "local") {
    // Configuration refuses this already; never serve an unauthenticated endpoint outside local mode.
    throw new Error(
      "MicrosoftAppId is required in production mode: the Teams endpoint would accept unsigned requests",
    );
  }
  keepEntityFields();
  const logger = deps.logger.child({ surface: "teams" });
  // "Show code" records and spooled files are part of the conversation: none outlives RETENTION_DAYS.
  const codeTtlMs = settings.retentionDays * DAY_MS;
  const fetcher = new TeamsFetcher({
    outbound: deps.outbound,
    hosts: teamsFileHosts(teams.appId),
    maxBytes: settings.maxFileBytes,
  });
  const auth = createBotAuth(teams);
  const adapter = new DatabotCloudAdapter(auth.authentication);
  const sender = new TeamsSender(adapter, auth.appId);
  const graph = teams.graph ? new GraphClient(teams.graph, fetcher) : undefined;
  const spool = new FileSpool(deps.shared.blobs, Math.min(FILE_TTL_MS, codeTtlMs));
  let signer: Promise<LinkSigner> | undefined;
  const getSigner = () => (signer ??= LinkSigner.fromStore(deps.spaces.space("links")));
  const files = new FileDelivery({
    sender,
    spool,
    graph,
    publicBaseUrl: settings.publicBaseUrl,
    signer: getSigner,
    fetcher,
    logger,
  });
  const surface = new TeamsSurface({
    sender,
    streaming: teams.streaming,
    files,
    auth,
    graph,
    codes: deps.spaces.space("code"),
    codeTtlMs,
    logger,
    fetcher,
    filePolicy: deps.filePolicy,
  });
  const receiver = new TeamsReceiver({
    adapter,
    auth,
    sink: deps.sink,
    codes: deps.spaces.space("code"),
    codeDays: settings.retentionDays,
    threads: deps.threads,
    files,
    graph,
    sender,
    allowedTenants: teams.allowedTenants,
    logger,
  });
  let sweepTimer: NodeJS.Timeout | undefined;
  const sweep = () =>
    void spool
      .sweep()
      .catch((error: unknown) => logger.warn({ err: error }, "could not clean spooled files"));

  // Without an app id nothing proves a request came from Teams, so the endpoint answers this machine only
  // (see local-access.ts): what the Agents Playground needs, and nobody elsewhere can reach it.
  const mode = teams.appId
    ? `app ${teams.appId}`
    : "no app id, so requests are not authenticated: it answers this machine only (loopback), which is " +
      "fine for trying databot with the Agents Playground; set MicrosoftAppId to serve Microsoft Teams";
  return {
    surface,
    description: `Teams: Bot Framework endpoint at POST ${MESSAGES_ROUTE} (${mode}; Graph ${graph ? "on" : "off"})`,
    mount(app) {
      app.post(MESSAGES_ROUTE, bodyDeadline(SMALL_BODY_MS), express.json({ limit: "1mb" }), receiver.handle);
      app.get(DOWNLOAD_ROUTE, downloadHandler(getSigner, spool, logger));
    },
    async start() {
      sweep();
      sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MS);
      sweepTimer.unref();
    },
    async stop() {
      clearInterval(sweepTimer);
      await files.drain(5000);
    },
  };
}
