# The msrp-relay image (docs/operators.md, "Docker"). Build from the repository root:
#   docker build -t msrp-relay .
#   docker run -d --name msrp-relay --stop-timeout 30 -p 2855:2855 -p 8080:8080 \
#     -e MSRP_RELAY_HOST=relay.example.net -v /srv/msrp-relay/users:/etc/msrp-relay/users:ro msrp-relay
# test/deploy-docker.test.ts follows these steps on the test machine: keep them plain.

# 1. Build the workspace and pack the relay and msrp-core as npm would publish them.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm run build
RUN pnpm --filter '@msrp-ts/msrp-relay...' pack --pack-destination /tarballs

# 2. Install the packed relay with its production dependencies only (no pnpm, no TypeScript).
FROM node:20.20.2-bookworm-slim AS app
WORKDIR /app
COPY --from=build /tarballs /tarballs
RUN echo '{"private": true}' > package.json && npm install --omit=dev --no-audit --no-fund /tarballs/*.tgz

# 3. The image: node, the installed relay and its configuration, run as the unprivileged user
#    "node" of the base image.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=app /app /app
# Listens on 0.0.0.0:2855 (msrp, TCP) and :8080 (WebSocket), /metrics and /health on :9090,
# users from /etc/msrp-relay/users (mount it). Each option is also an MSRP_RELAY_* variable,
# which wins over this file: -e MSRP_RELAY_HOST=relay.example.net.
COPY packages/msrp-relay/deploy/relay.docker.json /etc/msrp-relay/relay.json
USER node
EXPOSE 2855 8080 9090
# The relay drains on SIGTERM for up to 10 s: give `docker stop` more (--stop-timeout 30).
STOPSIGNAL SIGTERM
# Slim images have no curl: node asks /health (503 while shutting down).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node with the memory flags of the bin's shebang (docs/operators.md, "Memory").
ENTRYPOINT ["node", "--max-semi-space-size=16", "--heap-growing-percent=20", "--single-threaded-gc", "--v8-pool-size=1", "/app/node_modules/@msrp-ts/msrp-relay/bin/msrp-relay.js"]
CMD ["--config", "/etc/msrp-relay/relay.json"]
