# syntax=docker/dockerfile:1
#
# The registrar's image: the fat jar on a JRE 17, run as a non-root user. Needs BuildKit (the
# default builder since Docker 23) for the Maven cache mount.
#
#   docker build -t ghcr.io/spireregistrar/k8s-workload-registrar:0.1.0 .
#   docker push ghcr.io/spireregistrar/k8s-workload-registrar:0.1.0
#
# Without Docker, Jib builds and pushes the same image from Maven (see registrar-cli/pom.xml):
#   mvn -B -q package -DskipTests -pl registrar-cli -am
#   mvn -B -pl registrar-cli jib:build -Dimage=ghcr.io/spireregistrar/k8s-workload-registrar:0.1.0
#
# RegistrarImageTest checks that the paths, the entrypoint and the user below agree with the build
# and with the Jib configuration.

# ---- build: the same command as a developer's, tests skipped (CI runs them)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The Maven repository is a build cache, not part of any layer.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q package -DskipTests -pl registrar-cli -am

# ---- runtime: a JRE and the jar, nothing else
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="k8s-workload-registrar" \
      org.opencontainers.image.description="SPIRE Kubernetes Workload Registrar (Java), a drop-in for SPIRE's k8s-workload-registrar"
COPY --from=build /src/registrar-cli/target/k8s-workload-registrar.jar /app/k8s-workload-registrar.jar
# A numeric user, so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
WORKDIR /app
# Heap from the container's memory limit; an OutOfMemoryError ends the process (the kubelet
# restarts it) instead of leaving a half-working registrar.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/k8s-workload-registrar.jar"]
# Where upstream's manifests mounted the configuration (ConfigMap at /run/k8s-workload-registrar/config).
CMD ["-config", "/run/k8s-workload-registrar/config/registrar.conf"]
