package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds the bench scripts' native clients (scripts/*.c) with cc, as the scripts do, and runs them. */
final class NativeClients {
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));

  private NativeClients() {}

  /** What a run printed (output and errors together) and how it exited. */
  record Run(int exitCode, String out) {}

  /**
   * Compiles scripts/{@code name}.c into {@code directory}, linked with libnghttp2.
   *
   * @return the executable
   */
  static Path build(Path directory, String name, String... flags) throws IOException, InterruptedException {
    Path executable = directory.resolve(name);
    List<String> command = new ArrayList<>(List.of("cc", "-O2"));
    command.addAll(List.of(flags));
    command.addAll(List.of("-o", executable.toString(), ROOT.resolve("scripts/" + name + ".c").toString(),
        "-lnghttp2"));
    Run built = run(command);
    assertThat(built.exitCode()).as("cc printed: %s", built.out()).isZero();
    return executable;
  }

  /** Runs {@code command} to its end, within a minute. */
  static Run run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), out);
  }
}
