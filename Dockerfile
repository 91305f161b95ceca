# Rhythm's container image: `rhythm serve` on an embedded SQLite database kept on a volume.
#
#   podman build --format docker -t rhythm .        # or: docker build -t rhythm .
#   podman run -d --name rhythm -p 3000:3000 -v rhythm-data:/data \
#     -e GITLAB_URL=https://gitlab.example.com -e GITLAB_TOKEN=… -e RHYTHM_WEBHOOK_SECRET=… rhythm
#
# `--format docker` keeps the HEALTHCHECK (the OCI image format has no place for it). The same image
# runs the other commands: `podman run --rm … rhythm sweep`, `… rhythm generate --dry-run`.
# Behind a proxy that re-signs TLS, give npm the proxy's CA bundle as a build secret (it is not
# stored in the image): `--secret id=ca,src=/etc/ssl/certs/ca-certificates.crt`.
# See README.md, "Deploying".
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim

# --- Production dependencies: `npm ci --omit=dev`, and nothing else, become the image's node_modules.
FROM ${NODE_IMAGE} AS deps
# better-sqlite3 is a native module. npm first downloads its prebuilt binary (from GitHub); where
# that is not reachable, it compiles it with node-gyp, which needs python3, make and g++, and Node's
# headers (the official image has them in /usr/local/include/node, so node-gyp need not download
# them). The compilers stay in this stage.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,required=false \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && if [ -f /usr/local/include/node/node.h ]; then export npm_config_nodedir=/usr/local; fi \
 && npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# Of better-sqlite3's build only the module is needed (sources, objects and sqlite3.a are ~27 MB);
# then the module is loaded once, so a broken build fails here and not at the first start.
RUN cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release && mv /tmp/better_sqlite3.node build/Release/ \
 && cd /app && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# --- The build: src/ compiled to dist/ (tsc is a dev dependency; no install script is needed for it).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,required=false \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/
COPY src src
RUN npm run build

# --- The image: Node, the production dependencies, the build, and the files it reads at run time.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000 \
    RHYTHM_DATABASE_URL=sqlite:/data/rhythm.db
WORKDIR /app
# Owned by root and read-only to the service: only /data is writable.
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json rhythm.yml ./
COPY bin bin
COPY schemas schemas
COPY templates templates
# uid/gid 1000 is the `node` user of the official image; numeric, so a runtime can tell it is not root.
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME /data
EXPOSE 3000
# /healthz answers 200 while the process serves (readiness, GitLab and the database: /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# bin/rhythm.js runs dist/ (there is no src/ beside it), so tsx is never loaded. Node is PID 1 and
# handles SIGTERM itself: a graceful stop within RHYTHM_SHUTDOWN_GRACE_MS (10 s by default).
ENTRYPOINT ["node", "bin/rhythm.js"]
CMD ["serve"]
