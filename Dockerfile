# user-service container image.
#   docker build -t user-service .
#   docker run -p 50051:50051 -e DATABASE_URL=... -e JWT_SECRET=... user-service

# Build stage: the README's package command, on a JDK 17 image that has Maven, which ./mvnw
# uses to fetch the Maven version pinned in .mvn/wrapper/maven-wrapper.properties.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY protos protos
COPY bom bom
COPY contract contract
COPY client client
COPY server server
RUN ./mvnw -B -q package -DskipTests

# Run stage: a JRE 17 image and an unprivileged user with a numeric id, so Kubernetes'
# runAsNonRoot can check it.
FROM eclipse-temurin:17-jre
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
