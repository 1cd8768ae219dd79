# syntax=docker/dockerfile:1
# The mcpgen image: the static (musl) mcpgen binary on distroless/static, run as a non-root
# user, with /work as the working directory for the specs mounted there:
#
#   docker run --rm -v "$PWD:/work" ghcr.io/mcpgen/mcpgen:0.1.0 check mcp.yaml
#
# Two ways to build it:
#   docker build -t mcpgen .                   compiles mcpgen from this checkout (default)
#   docker build --target prebuilt ...         packages dist/<os>/<arch>/mcpgen built beforehand;
#                                              the release workflow does this for linux/amd64 and
#                                              linux/arm64 with the binaries it publishes

ARG RUST_VERSION=1.95.0

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# mcpgen is pure Rust: the musl target's self-contained C runtime is enough to link it
# statically with the image's gcc, no musl-tools needed.
RUN target="$(uname -m)-unknown-linux-musl" \
 && rustup target add "$target" \
 && cargo build --profile dist --locked --target "$target" \
 && install -D -m 0755 "target/$target/dist/mcpgen" /out/mcpgen

# distroless/static: no shell, no package manager, CA certificates and /etc/passwd only.
FROM gcr.io/distroless/static-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="mcpgen" \
      org.opencontainers.image.description="Declarative config compiler and policy linter for MCP servers" \
      org.opencontainers.image.source="https://github.com/mcpgen/mcpgen" \
      org.opencontainers.image.licenses="Apache-2.0"
# The distroless `nonroot` user, numeric so `runAsNonRoot` policies can verify it.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/mcpgen"]
CMD ["--help"]

FROM runtime AS prebuilt
ARG TARGETPLATFORM
COPY --chmod=0755 dist/${TARGETPLATFORM}/mcpgen /usr/local/bin/mcpgen

FROM runtime AS source
COPY --from=build /out/mcpgen /usr/local/bin/mcpgen
