# syntax=docker/dockerfile:1
#
# The soapbridge image: the release binary and CA certificates on distroless, nothing else.
#
#   docker build -t soapbridge .
#   docker run --rm -p 8080:8080 \
#     -v "$PWD/mappings:/etc/soapbridge/mappings:ro" \
#     -v "$PWD/wsdl:/etc/soapbridge/wsdl:ro" \
#     soapbridge
#
# Mapping files go in /etc/soapbridge/mappings and WSDLs in /etc/soapbridge/wsdl, so the
# `../wsdl/...` references of the mapping files resolve as they do in the repository.
# docs/deploy.md has the rest (Kubernetes, probes, termination, reloads).

# ---- builder -----------------------------------------------------------------------------
# Cargo.toml asks for edition 2024 and rust-version 1.89; any newer toolchain builds it.
# bookworm is Debian 12, the glibc of the runtime image below.
FROM rust:1.95-bookworm AS builder

# The release profile keeps line tables (debug = 1); the image drops them to stay small.
# `--build-arg CARGO_PROFILE_RELEASE_STRIP=none` keeps them (file:line in backtraces).
ARG CARGO_PROFILE_RELEASE_STRIP=debuginfo

WORKDIR /src

# Dependencies first, against stub sources: this layer is rebuilt only when Cargo.toml or
# Cargo.lock change, not on every edit of the code. The benches are declared in Cargo.toml,
# so they need stubs too for the manifest to load.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && echo 'fn main() {}' > benches/translate.rs \
 && echo 'fn main() {}' > benches/decode_once.rs \
 && echo 'fn main() {}' > benches/load.rs \
 && echo 'fn main() {}' > benches/auth.rs \
 && cargo build --release --locked \
 && cargo clean --release --locked -p soapbridge \
 && rm -rf src benches

# The crate itself. The binary embeds the demo contract (mappings/, wsdl/) and the Swagger
# UI (assets/docs/), so they are part of the build.
COPY src ./src
COPY benches ./benches
COPY assets ./assets
COPY mappings ./mappings
COPY wsdl ./wsdl
RUN cargo build --release --locked --bin soapbridge

# ---- runtime -----------------------------------------------------------------------------
# glibc, libgcc, CA certificates (/etc/ssl/certs, read by the TLS client for HTTPS backends)
# and tzdata; no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot

LABEL org.opencontainers.image.title="soapbridge" \
      org.opencontainers.image.description="A REST/JSON face for legacy SOAP backends." \
      org.opencontainers.image.licenses="Apache-2.0"

COPY --from=builder /src/target/release/soapbridge /usr/local/bin/soapbridge

# `serve` without a path reads `mappings/` under this folder, the mounted one.
WORKDIR /etc/soapbridge

# So that `docker run -p 8080:8080 soapbridge demo` is reachable from the host too.
ENV SOAPBRIDGE_LISTEN=0.0.0.0:8080

# distroless's `nonroot` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532

EXPOSE 8080

# No HEALTHCHECK: Kubernetes probes /healthz and /readyz itself (deploy/kubernetes/), and
# the image has no shell or curl to run one with.
ENTRYPOINT ["/usr/local/bin/soapbridge"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--watch", "/etc/soapbridge/mappings"]
