# syntax=docker/dockerfile:1
# ide-monitor: the exporter, the alert bridge and the status page in one image.
#   docker build -t ide-monitor .            (docker-compose.yml builds it for you)
# Build stage: the full Debian image has python3, make and g++ for better-sqlite3's native module.
FROM node:20.20.2-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off for the install, then better-sqlite3 alone is compiled from source against this Node's own
# headers: no prebuilt binary downloaded from GitHub, and the module matches the runtime's ABI and glibc
# (both stages are Node 20 on bookworm). npm 10 calls --build-from-source an unknown config but still
# hands it to the install script (prebuild-install reads npm_config_build_from_source).
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 --build-from-source --nodedir=/usr/local \
 && node -e "new (require('better-sqlite3'))(':memory:').close()"
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# The build context has no .git; pass the revision for ide_exporter_build_info:
#   docker build --build-arg IDE_MONITOR_REVISION=$(git rev-parse --short=12 HEAD) .
ARG IDE_MONITOR_REVISION=unknown
RUN IDE_MONITOR_REVISION="$IDE_MONITOR_REVISION" npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies and dist only, owned by root and read-only for the service user.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production \
    IDE_MONITOR_DATA_DIR=/var/lib/ide-monitor
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The outbox directory; a named volume mounted here inherits this ownership when it is first created.
RUN mkdir -p /var/lib/ide-monitor \
 && chown node:node /var/lib/ide-monitor \
 && node -e "require('better-sqlite3')"
USER node
EXPOSE 10451
# No curl in the slim image: Node's own fetch. Assumes the default listen address and no basic auth
# in --web.config.file (with basic auth every endpoint, /-/healthy included, needs credentials).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:10451/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# dist/cli.js carries the exporter's V8 flags in its shebang (see README, Memory).
ENTRYPOINT ["/app/dist/cli.js"]
CMD ["serve"]
