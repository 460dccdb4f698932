# databot: one image for every surface. Build: docker build -t databot .
# Run (Azure backend):  docker run -p 3978:3978 --env-file databot.env databot
# The local engine's sandbox uses bubblewrap, which Docker's default seccomp and AppArmor profiles block; to
# run code locally in the container add: --security-opt seccomp=unconfined --security-opt apparmor=unconfined

FROM node:26-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# Installs every dependency (the build needs TypeScript) and runs the build through `prepare`.
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:26-bookworm-slim
# The local engine: bubblewrap for the sandbox, Debian's Python data stack for the code it runs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      bubblewrap python3 python3-pandas python3-numpy python3-matplotlib python3-openpyxl python3-docx \
      python3-pypdf python3-seccomp python3-scipy python3-pil python3-lxml fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATABOT_MODE=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/src/cli/main.js", "serve"]
