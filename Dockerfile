# Caravan gateway image: a JRE, the fat jar, the Camel routes and the broker configuration.
# Build the jar first:  mvn -B package -DskipTests   then:  docker build -t caravan:0.1.0-SNAPSHOT .
# The Helm chart (helm/caravan) mounts its own routes over /app/routes and its application.yaml
# at /etc/caravan; the copies here make `docker run` work on its own.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 caravan \
 && useradd --system --uid 10001 --gid caravan --home-dir /app caravan \
 && mkdir -p /app /var/lib/caravan/broker && chown -R caravan:caravan /app /var/lib/caravan
WORKDIR /app
COPY target/caravan-*.jar /app/caravan.jar
COPY routes/ /app/routes/
COPY broker/ /app/broker/
USER 10001
EXPOSE 8080 8081 61616
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/caravan.jar"]
