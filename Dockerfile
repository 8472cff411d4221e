# One image for every Cairn service; the command picks which one runs:
#   gateway (the default) | rules | invalidation | demo-origin
# e.g. `docker run cairn rules`. The `cairn` command is on the PATH too
# (`docker run --rm cairn cairn status --invalidation-url http://invalidation:8082`).
# Configuration comes from the environment (README); the gateway's cache configuration and
# the users file are mounted, never baked in.
# Written for the classic builder as well as BuildKit (docker 20.10, docker-compose 1.29).

FROM node:20-bookworm-slim AS build
WORKDIR /src
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY libs/shared/package.json libs/shared/
COPY libs/testing/package.json libs/testing/
COPY services/gateway/package.json services/gateway/
COPY services/rules/package.json services/rules/
COPY services/invalidation/package.json services/invalidation/
COPY services/demo-origin/package.json services/demo-origin/
COPY tools/cli/package.json tools/cli/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY libs libs
COPY services services
COPY tools tools
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir /out \
 && cp -a package.json node_modules /out/ \
 && for pkg in libs/shared services/gateway services/rules services/invalidation services/demo-origin tools/cli; do \
      mkdir -p "/out/$pkg" && cp -a "$pkg/package.json" "$pkg/dist" "/out/$pkg/" \
      && if [ -d "$pkg/node_modules" ]; then cp -a "$pkg/node_modules" "/out/$pkg/"; fi; \
    done \
 && cp -a tools/cli/bin /out/tools/cli/ \
 && find /out -name '*.map' -delete \
 && find /out/node_modules -xtype l -delete

FROM node:20-bookworm-slim
# tini is PID 1: it forwards SIGTERM to the service (which drains and exits) and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    CONFIG_DIR=/etc/cairn \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /out/ /app/
COPY deploy/docker/cairn-service.sh /usr/local/bin/cairn-service
COPY deploy/docker/healthcheck.mjs /app/healthcheck.mjs
# The `cairn` command (its bin runs the built dist/main.js).
RUN ln -s /app/tools/cli/bin/cairn.js /usr/local/bin/cairn
# The gateway's LMDB store: a named volume mounted here starts owned by `node`.
RUN mkdir -p /data /etc/cairn && chown node:node /data
USER node
EXPOSE 8080 9080 8081 8082 8090
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["tini", "--", "cairn-service"]
CMD ["gateway"]
