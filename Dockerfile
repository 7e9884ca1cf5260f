# user-service container image.
#   docker build -t user-service .
#   docker run -p 50051:50051 -e DATABASE_URL=... -e JWT_SECRET=... user-service
# scripts/image-smoke.sh builds it and checks it runs (health, a call, SIGTERM).

# Build stage: the README's package command on the official Maven image, whose mvn ./mvnw uses
# to fetch the Maven version pinned in .mvn/wrapper/maven-wrapper.properties (tar.gz: the image
# has no unzip).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies in a layer of their own: the wrapper, the poms and the protos (the contract's
# code generator is resolved only when there is something to generate) go in first, and
# packaging that source-less project fetches Maven, every plugin and every dependency. A
# change to the Java sources then reuses this layer and rebuilds offline.
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY bom/pom.xml bom/
COPY contract/pom.xml contract/
COPY client/pom.xml client/
COPY server/pom.xml server/
COPY protos protos
RUN ./mvnw -B -q package -DskipTests && rm -rf target */target
COPY bom bom
COPY contract contract
COPY client client
COPY server server
RUN ./mvnw -B -q -o package -DskipTests

# Run stage: a JRE 17 image and an unprivileged user with a numeric id, so Kubernetes'
# runAsNonRoot can check it. The root filesystem may be read-only: the service writes only to
# /data (the embedded database) and /tmp.
FROM eclipse-temurin:17-jre
# the version and the commit it is built from: --build-arg VERSION=... --build-arg REVISION=$(git rev-parse HEAD)
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="user-service" \
      org.opencontainers.image.description="gRPC service that owns user accounts" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="eclipse-temurin:17-jre"
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app /data \
    && chown app:app /data
COPY --from=build /src/target/user-service.jar /app/user-service.jar
# The embedded database, used only when DATABASE_URL is unset, lives on this volume.
ENV DATA_DIR=/data
VOLUME ["/data"]
USER 10001:10001
# gRPC, and the metrics port
EXPOSE 50051 9464
# The heap follows the container's memory limit; an out-of-memory error ends the process so
# the orchestrator restarts it instead of leaving it half-working.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/user-service.jar"]
