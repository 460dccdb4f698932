/**
 * The browser chat: a page at `/` with threads, a message box, file drop, live progress and answers with charts
 * and downloadable files. It talks to the same conversation service and store as Slack and Teams.
 */
import path from "node:path";
import type { Express } from "express";
import type { WebChatConfig } from "../../../config";
import type { RetentionTarget } from "../../../core/ports";
import type { SurfaceDeps, SurfaceModule } from "../surface-module";
import { accessControl, securityHeaders } from "./access";
import { apiRouter } from "./api-routes";
import { LiveEvents } from "./live-events";
import { staticDir, staticRouter } from "./static-files";
import { webRetention, webStores } from "./retention";
import { WebSurface } from "./web-surface";

/** Staged uploads are checked this often, so one not sent within the hour is gone soon after. */
const UPLOAD_SWEEP_MS = 10 * 60_000;

/** What the web chat keeps, for `databot forget` (which serves nothing): the same stores, no server. */
export function webChatRetention(deps: SurfaceDeps): RetentionTarget[] {
  const { transcripts, uploads } = webStores(deps);
  return webRetention(transcripts, uploads);
}

/** The web chat module, from its own configuration section. */
export function createWebChatModule(deps: SurfaceDeps, web: WebChatConfig): SurfaceModule {
  const logger = deps.logger.child({ surface: "web" });
  const { transcripts, uploads } = webStores(deps);
  const live = new LiveEvents(deps.shared.events, logger);
  const surface = new WebSurface(transcripts, uploads, live, logger);
  const token = web.accessToken;
  let sweepTimer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    const removed = await uploads.sweep().catch((error: unknown) => {
      logger.warn({ err: error }, "could not clean up web uploads");
      return 0;
    });
    if (removed > 0) logger.info({ removed }, "expired web uploads deleted");
  };
  const clientDir = staticDir();

  return {
    surface,
    description: token
      ? "Web chat at / (open /?token=<WEB_ACCESS_TOKEN> once to sign in)"
      : "Web chat at / (this machine only)",
    mount(app: Express) {
      const guard = [securityHeaders, accessControl(token)];
      app.get("/", ...guard, (_req, res) => {
        res.setHeader("cache-control", "no-store");
        res.sendFile(path.join(clientDir, "index.html"));
      });
      app.use("/web", ...guard);
      app.use("/web", staticRouter(clientDir));
      app.use(
        "/web/api",
        apiRouter({
          sink: deps.sink,
          transcripts,
          uploads,
          live,
          logger,
          maxFileBytes: deps.settings.maxFileBytes,
        }),
      );
    },
    async start() {
      await sweep();
      sweepTimer = setInterval(() => void sweep(), UPLOAD_SWEEP_MS);
      sweepTimer.unref();
    },
    async stop() {
      clearInterval(sweepTimer);
      live.closeAll();
    },
    retention: webRetention(transcripts, uploads),
  };
}
