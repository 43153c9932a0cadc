package io.streetsense.services;

import io.streetsense.services.internal.ChildProcess;
import io.streetsense.services.internal.JavaCommand;
import io.streetsense.services.internal.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka as a child JVM that speaks only SASL_SSL with SCRAM-SHA-512 to its
 * clients and authorizes every request (StandardAuthorizer, no ACL = denied): a broker as a city
 * would run it. The SCRAM users are created at format time ({@code --add-scram}); {@code admin} is
 * the only super user on the client listener. The controller listener stays PLAINTEXT on 127.0.0.1
 * (its anonymous principal is a super user, as the broker talks to its own controller).
 *
 * <p>Separate from {@link KafkaBroker}, whose listener layout is PLAINTEXT; the certificate is a
 * fresh self-signed one for 127.0.0.1 made with {@code keytool}. Used by the tests that check the
 * programs' Kafka security settings and the deployment's ACLs for real.
 */
public final class ScramKafkaBroker implements AutoCloseable {
  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-secret-2b9d";
  public static final String STORE_PASSWORD = "store-secret-7c1e";

  private final Path dir;
  private final int port;
  private final Path trustStore;
  private final ChildProcess process;

  private ScramKafkaBroker(Path dir, int port, Path trustStore, ChildProcess process) {
    this.dir = dir;
    this.port = port;
    this.trustStore = trustStore;
    this.process = process;
  }

  /** Starts the broker with these SCRAM users (name → password) besides {@link #ADMIN}. */
  public static ScramKafkaBroker start(Path workDir, Map<String, String> users) throws Exception {
    Path dir = Files.createDirectories(workDir.toAbsolutePath());
    Files.createDirectories(dir.resolve("data"));
    Path keyStore = dir.resolve("broker.p12");
    Path trustStore = dir.resolve("trust.p12");
    Path cert = dir.resolve("broker.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        keyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD,
        "-keypass",
        STORE_PASSWORD);
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "broker",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        cert.toString());
    run(
        keytool,
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        cert.toString(),
        "-keystore",
        trustStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD);

    int port = Ports.freePort();
    int controllerPort = Ports.freePort();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "SASL_SSL");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
    p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(ADMIN, ADMIN_PASSWORD));
    p.put("ssl.keystore.location", keyStore.toString());
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.password", STORE_PASSWORD);
    p.put("ssl.key.password", STORE_PASSWORD);
    // The broker is its own inter-broker client: it must trust its certificate too.
    p.put("ssl.truststore.location", trustStore.toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", STORE_PASSWORD);
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
    p.put("allow.everyone.if.no.acl.found", "false");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "3");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    Path config = dir.resolve("server.properties");
    Files.writeString(
        config,
        p.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                .collect(Collectors.joining("\n"))
            + "\n");
    Path log4j = dir.resolve("log4j2.properties");
    Files.writeString(
        log4j,
        String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = out",
            ""));

    List<String> format =
        new ArrayList<>(
            List.of(
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                config.toString(),
                "--add-scram",
                "SCRAM-SHA-512=[name=" + ADMIN + ",password=" + ADMIN_PASSWORD + "]"));
    users.forEach(
        (name, password) -> {
          format.add("--add-scram");
          format.add("SCRAM-SHA-512=[name=" + name + ",password=" + password + "]");
        });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      code = StorageTool.execute(format.toArray(String[]::new), print);
    }
    if (code != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage failed ("
              + code
              + "): "
              + out.toString(StandardCharsets.UTF_8));
    }

    List<String> command =
        JavaCommand.of(
            dir.resolve("java.args"),
            List.of(
                "-Xms64m",
                "-Xmx384m",
                "-XX:+UseG1GC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                "-Dkafka.logs.dir=" + dir,
                "-Dlog4j2.configurationFile=" + log4j.toUri()),
            "kafka.Kafka",
            List.of(config.toString()));
    ChildProcess process =
        new ChildProcess(
            "kafka-scram",
            command,
            dir,
            dir.resolve("kafka.log"),
            Map.of(),
            Duration.ofSeconds(30));
    ScramKafkaBroker kafka = new ScramKafkaBroker(dir, port, trustStore, process);
    process.start();
    try {
      process.awaitReady(
          Duration.ofSeconds(120),
          "Kafka (SASL_SSL) to accept connections on 127.0.0.1:" + port,
          () -> Ports.isAccepting(port));
      try (Admin admin = Admin.create(kafka.adminProperties())) {
        process.awaitReady(
            Duration.ofSeconds(60),
            "Kafka (SASL_SSL) to answer an authenticated DescribeCluster",
            () -> {
              try {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return true;
              } catch (Exception e) {
                return false;
              }
            });
      }
    } catch (RuntimeException e) {
      process.stop();
      throw new IllegalStateException(e.getMessage() + "\nerrors:\n" + errors(kafka.logFile()), e);
    }
    return kafka;
  }

  /** The broker's ERROR lines (the tail alone often shows only the shutdown that followed). */
  private static String errors(Path log) {
    try (var lines = Files.lines(log)) {
      return lines
          .filter(l -> l.contains("ERROR") || l.startsWith("Caused by") || l.contains("Exception:"))
          .limit(20)
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** A SCRAM login line for {@code sasl.jaas.config}. */
  public static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path trustStore() {
    return trustStore;
  }

  public Path logFile() {
    return dir.resolve("kafka.log");
  }

  /** Client settings for {@code user}: SASL_SSL, SCRAM-SHA-512, the broker's trust store. */
  public Properties clientProperties(String user, String password) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put("sasl.jaas.config", jaas(user, password));
    p.put("ssl.truststore.location", trustStore.toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", STORE_PASSWORD);
    return p;
  }

  public Properties adminProperties() {
    return clientProperties(ADMIN, ADMIN_PASSWORD);
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(command[0] + " " + command[1] + " failed: " + output);
    }
  }

  @Override
  public void close() {
    process.stop();
  }
}
