# syntax=docker/dockerfile:1
#
# Base images by full version tag. To pin them by digest as well (reproducible builds, and what
# admission policies often require), pass the digest with the tag; look it up where a registry is
# reachable (docker buildx imagetools inspect eclipse-temurin:17.0.16_8-jre-noble):
#   docker build \
#     --build-arg BUILD_IMAGE=maven:3.9.11-eclipse-temurin-17@sha256:<digest> \
#     --build-arg RUNTIME_IMAGE=eclipse-temurin:17.0.16_8-jre-noble@sha256:<digest> \
#     --build-arg VERSION="$(mvn -q help:evaluate -Dexpression=project.version -DforceStdout)" \
#     --build-arg REVISION="$(git rev-parse --short=12 HEAD)" \
#     -t avatar-service:local .
ARG BUILD_IMAGE=maven:3.9.11-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17.0.16_8-jre-noble

# Build: the Maven image compiles and packages the single runnable jar.
FROM ${BUILD_IMAGE} AS build
# .git is not in the build context (.dockerignore): the commit for GET /info comes from REVISION
ARG REVISION=unknown
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY conf ./conf
COPY src ./src
RUN mvn -B -q package -DskipTests -Dgit.commit.id.abbrev="${REVISION}"

# Run: a JRE, a numeric non-root user (Kubernetes runAsNonRoot checks the number), data and
# avatars on a volume. No curl: the health check is a small Java class in the jar.
FROM ${RUNTIME_IMAGE}
ARG VERSION=unknown
ARG REVISION=unknown
LABEL org.opencontainers.image.title="avatar-service" \
      org.opencontainers.image.description="User accounts, avatars and live avatar notifications on Vert.x 5" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
RUN groupadd --system --gid 10001 avatar \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin avatar \
 && mkdir -p /app /data/avatars /data/backups \
 && chown -R 10001:10001 /data
WORKDIR /app
COPY --from=build /src/target/avatar-service.jar /app/avatar-service.jar
COPY conf/hazelcast*.xml /app/conf/
# SIGTERM (docker stop) stops the node gracefully and exits 0; give it SHUTDOWN_TIMEOUT + 10 s
# (docker stop -t 30, compose stop_grace_period: 30s, Kubernetes terminationGracePeriodSeconds: 30).
STOPSIGNAL SIGTERM
# The management listener (metrics, admin API) stays on the container's loopback unless
# MANAGEMENT_HOST=0.0.0.0 is set; `docker exec <container> java -jar /app/avatar-service.jar admin ...`
# reaches it either way.
ENV DB_PATH=/data/avatar-service.db \
    AVATARS_DIR=/data/avatars \
    BACKUP_DIR=/data/backups \
    HTTP_PORT=8080 \
    MANAGEMENT_PORT=9090
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080 9090 5701
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss256k", \
       "-cp", "/app/avatar-service.jar", "dev.avatarservice.cli.HealthCheck"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/avatar-service.jar"]
