# xmlmigrate as a container image: the CLI is the entrypoint (`docker run IMAGE run …`,
# `docker run IMAGE status …`). Multi-stage: the build stage has the dev dependencies (TypeScript,
# esbuild) and compiles dist/; the deps stage installs the production dependencies only
# (`npm ci --omit=dev`), compiling better-sqlite3's native module; the runtime stage gets dist/ and
# that node_modules and nothing else, and runs as an unprivileged user.
# Build: docker build -t xmlmigrate:0.1.0 .   Kubernetes: deploy/kubernetes/job.yaml.

FROM node:20-bookworm-slim AS build
# a compiler for better-sqlite3 when no prebuilt binary fits
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
COPY contracts ./contracts
COPY schema ./schema
# npm ci runs the package's `prepare` script: tsc, then the esbuild bundles (dist/)
RUN npm ci && test -f dist/cli/main.js

FROM node:20-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
# production dependencies only; `prepare` finds no dev dependencies and builds nothing (dist/ comes from the build stage)
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY contracts ./contracts
COPY schema ./schema
# a writable working directory for SQLite files, --log-file and --metrics-out
RUN mkdir /data && chown 1000:1000 /data
WORKDIR /data
# the image's `node` user, by number: Kubernetes can check runAsNonRoot only against a numeric user
USER 1000:1000
ENTRYPOINT ["node", "/app/bin/xmlmigrate.js"]
CMD ["--help"]
