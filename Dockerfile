# Reel: a self-hostable video platform (Deno + FFmpeg) in one image.
#
#   docker build -t reel .
#   docker run -d --name reel -p 8000:8000 -v reel-data:/data reel
#
# Two stages: `build` gets Deno from npm (Node and npm exist only there), installs the locked
# dependencies and builds the islands; the runtime stage holds ffmpeg, the Deno binary and the
# prepared app, runs as a non-root user with the narrow permissions of `deno task start`, and
# fetches nothing at run time.

ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
ARG DENO_VERSION=2.9.6
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
  && rm -rf /var/lib/apt/lists/*
# The npm package `deno` only wraps a platform package (`@deno/linux-x64-glibc`,
# `@deno/linux-arm64-glibc`) that holds the real binary; copy that one out.
# Behind a TLS-intercepting proxy, pass its CA bundle (build-time only, never in a layer):
#   docker build --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt .
RUN --mount=type=secret,id=ca_bundle \
  if [ -f /run/secrets/ca_bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca_bundle; fi \
  && npm install --global --no-audit --no-fund --no-update-notifier "deno@${DENO_VERSION}" \
  && bin="$(find "$(npm root --global)" -type f -path '*/@deno/linux-*/deno' | head -n 1)" \
  && test -n "$bin" \
  && rm -f /usr/local/bin/deno \
  && install -m 0755 "$bin" /usr/local/bin/deno \
  && deno --version
ENV DENO_DIR=/deno-dir \
  DENO_NO_UPDATE_CHECK=1 \
  NO_COLOR=1
WORKDIR /app
# Dependencies first, so source changes reuse this layer.
COPY deno.json deno.lock ./
RUN --mount=type=secret,id=ca_bundle \
  if [ -f /run/secrets/ca_bundle ]; then export DENO_CERT=/run/secrets/ca_bundle; fi \
  && deno install --frozen
COPY . .
# Islands into _fresh/, then warm the module cache for the entry points. The npm cache and
# the bundler's download are build-time only: node_modules/ holds every package the server
# loads.
RUN --mount=type=secret,id=ca_bundle \
  if [ -f /run/secrets/ca_bundle ]; then export DENO_CERT=/run/secrets/ca_bundle; fi \
  && deno run -A dev.ts build \
  && deno cache --frozen main.ts lib/cli/worker.ts lib/cli/migrate.ts lib/cli/healthcheck.ts \
  && rm -rf "$DENO_DIR/npm" "$DENO_DIR/dl" \
  && mkdir /app-src \
  && tar -C /app --exclude=./node_modules -cf - . | tar -C /app-src -xf -

FROM ${BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
# procps provides /usr/bin/kill: a restarted server kills the ffmpeg process group a crashed
# one left behind, and Deno's own kill would need unrestricted --allow-run.
# Debian's libavdevice drags in Mesa (libGL → DRI drivers → LLVM, ~160 MB) that the ffmpeg
# command line never loads: nothing links those files, only OpenGL/Vulkan rendering would.
RUN printf '%s\n' 'path-exclude /usr/lib/*/dri/*' 'path-exclude /usr/lib/*/libLLVM-*' \
    'path-exclude /usr/lib/*/libz3.so*' > /etc/dpkg/dpkg.cfg.d/reel-no-gpu-drivers \
  && apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg procps \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 reel \
  && useradd --system --uid 10001 --gid reel --no-create-home \
    --home-dir /nonexistent --shell /usr/sbin/nologin reel \
  && mkdir -p /data \
  && chown reel:reel /data
# Most stable first: a source change then adds a layer of a few MB, not node_modules again.
COPY --from=build /usr/local/bin/deno /usr/local/bin/deno
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /deno-dir /deno-dir
COPY --from=build /app-src /app
ENV DENO_DIR=/deno-dir \
  DENO_NO_UPDATE_CHECK=1 \
  DATA_DIR=/data \
  HOST=0.0.0.0 \
  PORT=8000
WORKDIR /app
USER reel
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["deno", "run", "--no-config", "--allow-net=127.0.0.1", "--allow-env=PORT", "lib/cli/healthcheck.ts"]
# The flags of lib/cli/permissions.ts serverPermissions() with root /app and DATA_DIR /data.
CMD ["deno", "run", "--cached-only", "--frozen", "--allow-net", "--allow-env", "--allow-sys=hostname,statfs,osRelease", "--allow-read=/app,/data,/tmp", "--allow-write=/data", "--allow-run=ffmpeg,ffprobe,kill,nice", "main.ts"]
