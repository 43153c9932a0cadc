package io.streetsense.services.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for child JVMs that run a main class from our own classpath. */
public final class JavaCommand {
  private JavaCommand() {}

  /** The {@code java} binary of the running JVM. */
  public static Path javaBinary() {
    Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(fromHome)) {
      return fromHome;
    }
    return ProcessHandle.current()
        .info()
        .command()
        .map(Path::of)
        .orElseThrow(() -> new IllegalStateException("cannot find the java binary of this JVM"));
  }

  /**
   * Builds {@code java <jvmOptions> @argfile <mainClass> <args>}, where the argfile (written to
   * {@code argFile}) holds {@code -cp <our classpath>}.
   *
   * <p>The classpath is {@code java.class.path} of this JVM. That is the right thing in the cases
   * we care about: under Maven Surefire/Failsafe it is a manifest-only jar whose {@code Class-Path}
   * lists every test dependency, and under {@code java -jar app.jar} it is the jar itself, whose
   * manifest {@code Class-Path} (or shaded content) brings the rest; the child JVM resolves both
   * manifests exactly like we did. It goes through an argfile because a long Maven classpath can
   * exceed the kernel's 128 KiB limit on a single argument.
   */
  public static List<String> of(
      Path argFile, List<String> jvmOptions, String mainClass, List<String> args) {
    // Absolute entries: the child runs in its own work dir, where a relative entry such as
    // `cli/target/streetsense.jar` (from `java -jar` in the repo root) would not resolve.
    String classpath =
        java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .filter(entry -> !entry.isEmpty())
            .map(entry -> Path.of(entry).toAbsolutePath().toString())
            .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    // Argfile syntax: a quoted token, backslashes and quotes escaped.
    String quoted = "\"" + classpath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    try {
      Files.writeString(argFile, "-cp\n" + quoted + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + argFile, e);
    }
    List<String> command = new ArrayList<>();
    command.add(javaBinary().toString());
    command.addAll(jvmOptions);
    command.add("@" + argFile);
    command.add(mainClass);
    command.addAll(args);
    return command;
  }
}
