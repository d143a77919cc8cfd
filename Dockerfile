# syntax=docker/dockerfile:1
# Build: the Maven image compiles and packages the single runnable jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY conf ./conf
COPY src ./src
RUN mvn -B -q package -DskipTests

# Run: a slim JRE, a non-root user, data and avatars on a volume. curl is for the health check
# (newer Temurin images no longer ship it).
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 avatar \
 && useradd --system --uid 10001 --gid avatar --home-dir /app --shell /usr/sbin/nologin avatar \
 && mkdir -p /app /data/avatars \
 && chown -R avatar:avatar /data
WORKDIR /app
COPY --from=build /src/target/avatar-service.jar /app/avatar-service.jar
COPY conf/hazelcast*.xml /app/conf/
# SIGTERM (docker stop) stops the node gracefully and exits 0; give it SHUTDOWN_TIMEOUT + 10 s
# (docker stop -t 30, compose stop_grace_period: 30s, Kubernetes terminationGracePeriodSeconds: 30).
STOPSIGNAL SIGTERM
ENV DB_PATH=/data/avatar-service.db \
    AVATARS_DIR=/data/avatars \
    HTTP_PORT=8080
VOLUME ["/data"]
USER avatar
EXPOSE 8080 5701
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/ready > /dev/null || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/avatar-service.jar"]
