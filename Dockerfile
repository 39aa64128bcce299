# Parley in a container: built in one stage, run from a small image as a non-root user.
#   docker build -t parley .
#   docker run -e DATABASE_URL=... -e PARLEY_SECRET_KEY=... -p 8080:8080 parley
# deploy/compose.yaml runs it beside PostgreSQL; scripts/dockertest (make docker-test) builds and
# starts both. GO_IMAGE and RUN_IMAGE name the base images (the test passes local stand-ins when
# it cannot pull these).

ARG GO_IMAGE=golang:1.26-bookworm
ARG RUN_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/parley ./cmd/parley

FROM ${RUN_IMAGE}
COPY --from=build /out/parley /usr/local/bin/parley
# distroless's nonroot user (65532): Parley writes nothing to disk, everything lives in PostgreSQL.
USER nonroot:nonroot
ENV PARLEY_ADDR=:8080 PARLEY_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/parley"]
CMD ["serve"]
