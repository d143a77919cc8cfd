# syntax=docker/dockerfile:1
# Build: the Maven image compiles and packages the single runnable jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY conf ./conf
COPY src ./src
RUN mvn -B -q package -DskipTests

# Run: a slim JRE, a non-root user, data and avatars on a volume.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 avatar \
 && useradd --system --uid 10001 --gid avatar --home-dir /app --shell /usr/sbin/nologin avatar \
 && mkdir -p /app /data/avatars \
 && chown -R avatar:avatar /data
WORKDIR /app
COPY --from=build /src/target/avatar-service.jar /app/avatar-service.jar
COPY conf/hazelcast*.xml /app/conf/
ENV DB_PATH=/data/avatar-service.db \
    AVATARS_DIR=/data/avatars \
    HTTP_PORT=8080
VOLUME ["/data"]
USER avatar
EXPOSE 8080 5701
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/ready > /dev/null || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/avatar-service.jar"]
