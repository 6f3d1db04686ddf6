# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled output only, run as the unprivileged node user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Browser assets of the participant page are plain .js/.css that tsc does not copy.
COPY --from=build /app/src/http/participant/assets ./src/http/participant/assets
COPY config/programmes ./config/programmes
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node runs as PID 1 and receives SIGTERM directly (exec form, no npm or shell in between);
# close-with-grace in the service drains and exits. ROLE=worker needs no HTTP, so its health check is
# switched off in docker-compose.yml. A 32 MiB young generation semi-space, as in `npm start`: with V8's
# default, a crowd of join requests gets request objects tenured and throughput falls by a third
# (docs/benchmarks.md); it costs up to about 50 MiB more heap.
CMD ["node", "--max-semi-space-size=32", "dist/src/server.js"]
