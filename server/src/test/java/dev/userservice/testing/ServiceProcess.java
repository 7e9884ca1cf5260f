package dev.userservice.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service jar running as its own process on a free port, as an operator runs it.
 * Its output is kept for assertions; {@link #close()} stops it with SIGTERM.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
  /** The heap the Dockerfile gives a 512 MiB container (75 % of it), and an exit when it runs out. */
  public static final List<String> CONTAINER_HEAP = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError");

  private final Process process;
  private final Thread reader;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private ManagedChannel channel;

  private ServiceProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "service-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The jar the build produced; the failsafe plugin passes its path. */
  public static Path jar() {
    return Path.of(System.getProperty("service.jar", "target/user-service.jar"));
  }

  /**
   * Starts the jar with these flags and environment on a free port, not waiting for it; the
   * metrics endpoint is off unless the flags turn it on.
   */
  public static ServiceProcess launch(Map<String, String> env, String... flags) throws IOException {
    return launch(List.of(), env, flags);
  }

  /** Like {@link #launch(Map, String...)}, with these options for the JVM (heap size, for instance). */
  public static ServiceProcess launch(List<String> jvmOptions, Map<String, String> env, String... flags)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar().toString(), "--grpc-port=0", "--metrics-port=0"));
    command.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("DATABASE_") || k.equals("GRPC_PORT")
        || k.equals("METRICS_PORT") || k.equals("LOG_FORMAT"));
    // no load balancer stands in front of a test's process: stop without the drain delay unless asked
    builder.environment().put("DRAIN_DELAY_MS", "0");
    builder.environment().putAll(env);
    return new ServiceProcess(builder.start());
  }

  /** Starts the jar and waits until it listens. */
  public static ServiceProcess start(Map<String, String> env, String... flags) throws Exception {
    ServiceProcess service = launch(env, flags);
    service.awaitListening();
    return service;
  }

  /**
   * Starts the jar with the heap a 512 MiB container gives it, as the Dockerfile and the
   * Kubernetes manifests run it, and waits until it listens.
   */
  public static ServiceProcess startInContainerHeap(Map<String, String> env, String... flags) throws Exception {
    ServiceProcess service = launch(CONTAINER_HEAP, env, flags);
    service.awaitListening();
    return service;
  }

  /** The environment of a service on {@code schema} of the test PostgreSQL, signing with the tests' secret. */
  public static Map<String, String> postgresEnvironment(String schema) {
    return postgresEnvironment(schema, Map.of());
  }

  /** Like {@link #postgresEnvironment(String)}, with {@code more} settings. */
  public static Map<String, String> postgresEnvironment(String schema, Map<String, String> more) {
    Map<String, String> env = new HashMap<>(more);
    env.put("DATABASE_URL", TestDatabases.postgresUrl() + "?currentSchema=" + schema);
    env.put("DATABASE_USER", TestDatabases.postgresUser());
    env.put("JWT_SECRET", TestTokens.SECRET);
    return env;
  }

  /** Whether the process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  private void readOutput() {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        output.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** Waits for the "listening" line; fails with the process output when it does not come. */
  public int awaitListening() throws Exception {
    try {
      return port.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("service did not start; output:\n" + String.join("\n", output), e);
    }
  }

  /** A plaintext channel to the service, closed with it. */
  public ManagedChannel channel() throws Exception {
    if (channel == null) {
      channel = Grpc.newChannelBuilderForAddress("127.0.0.1", awaitListening(), InsecureChannelCredentials.create())
          .build();
    }
    return channel;
  }

  /** The operating system's id of the process. */
  public long pid() {
    return process.pid();
  }

  /**
   * The bytes of the objects live in the process's heap: {@code jcmd GC.class_histogram} runs a
   * full collection first, so garbage is not counted.
   */
  public long liveHeapBytes() throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid()), "GC.class_histogram").redirectErrorStream(true).start();
    String histogram = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor();
    // the last line: "Total <instances> <bytes>"
    return histogram.lines().filter(line -> line.startsWith("Total")).findFirst()
        .map(line -> Long.parseLong(line.trim().split("\\s+")[2]))
        .orElseThrow(() -> new AssertionError("no histogram from jcmd:\n" + histogram));
  }

  /** Everything the process printed so far. */
  public String output() {
    return String.join("\n", output);
  }

  /** Waits for the process to end by itself and returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("service still running after " + timeout + "; output:\n" + output());
    }
    // the last lines may still be in the pipe
    reader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  /** Kills the process with SIGKILL, as a crash would, and waits for it to be gone. */
  public void kill() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
    }
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Sends SIGTERM and returns the exit code; what the process prints while stopping is kept. */
  public int terminate() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // Process.destroy() would also close the output pipe, losing the shutdown's log lines
    process.toHandle().destroy();
    return awaitExit(Duration.ofSeconds(30));
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate();
    }
    process.destroyForcibly();
  }
}
