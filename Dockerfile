# The gateway as a container. It talks to a DynamoDB it is given (DYNAMODB_ENDPOINT, or AWS
# with the default credential chain): the embedded DynamoDB Local of `npm start`, the sample
# catalog and the other development tools of src/dev are not in this image. `docker compose up`
# runs it next to a DynamoDB Local, and loads the sample catalog from the build stage.
#
# test/integration/container-path.test.ts reads this file and carries out its instructions
# outside Docker (FROM, WORKDIR /app, ENV, COPY, RUN, USER, EXPOSE, HEALTHCHECK, CMD in exec
# form), then serves the contract from the runtime stage: keep to those, or teach the test.

# --- build: compile TypeScript to dist/ --------------------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a change to the sources does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Only what the entry points import (tsconfig.production.json), into dist-production/: nothing of
# src/dev can be in the runtime image, not even by mistake. Compose's `seed` service runs the
# seed script from the sources here, with tsx.
RUN npm run build:production

# --- runtime: production dependencies, compiled code, the schema ------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
# package.json also carries "type": "module", which dist/ needs to load as ES modules.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist-production ./dist
COPY schema ./schema
# Files stay owned by root and read-only for the process; it writes nothing to disk.
USER node
EXPOSE 4000
# The slim image has no curl: ask node's own fetch. Exit 0 when /health answers 2xx.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same heap budget as `npm start` (README, "Choices and why"): without it V8 sizes the heap from
# the host's memory and lets garbage pile up to ~130 MB of old space before it collects.
CMD ["node", "--max-old-space-size=1024", "dist/src/entry/server.js"]
