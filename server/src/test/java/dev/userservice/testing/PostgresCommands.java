package dev.userservice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs PostgreSQL's programs for the failover tests' own servers: as the {@code postgres} user
 * when the tests run as root (PostgreSQL refuses to run as root), in a folder of their own, on
 * ports 5440-5459 that nothing else listens on.
 */
final class PostgresCommands {
  static final Path BIN = Path.of(System.getProperty("test.postgres.bin", "/usr/lib/postgresql/15/bin"));
  private static final int FIRST_PORT = 5440;
  private static final int LAST_PORT = 5459;
  private static final Set<Integer> TAKEN = new HashSet<>();
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private PostgresCommands() {}

  /** A new empty folder under the temporary directory that the postgres user owns. */
  static Path newRoot(String prefix) {
    try {
      Path root = Files.createTempDirectory(Path.of("/tmp"), prefix);
      if (ROOT) {
        UserPrincipal postgres = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(root, postgres);
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the folder and everything in it. */
  static void removeRoot(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port of 5440-5459 that nothing listens on and no other server of this JVM was given. */
  static synchronized int takePort() {
    for (int port = FIRST_PORT; port <= LAST_PORT; port++) {
      if (!TAKEN.contains(port) && free(port)) {
        TAKEN.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + FIRST_PORT + "-" + LAST_PORT);
  }

  static synchronized void releasePort(int port) {
    TAKEN.remove(port);
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The command as the postgres user would run it. */
  static List<String> asPostgres(List<String> command) {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    return full;
  }

  /** Runs the command in {@code dir} and returns its output; fails with the output when it fails. */
  static String run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
    try {
      ProcessBuilder builder = new ProcessBuilder(asPostgres(command)).directory(dir.toFile()).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      // the output is small (these programs print a few lines): read it once the process ends
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " still running after " + timeout);
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Starts the command in the background, its output going to {@code log}. */
  static Process spawn(Path dir, Map<String, String> env, Path log, List<String> command) {
    try {
      ProcessBuilder builder = new ProcessBuilder(asPostgres(command)).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kills the process and every process under it with SIGKILL at once, as a machine that loses
   * power would: no process gets to tidy up or tell its peers. Returns when they are gone, with
   * the moment (System.nanoTime) the signals were sent.
   */
  static long killTree(long pid) {
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(0, process);
    long killed = System.nanoTime();
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : all) {
      handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    return killed;
  }

  /**
   * Asks the process and its children to stop (SIGTERM), as a service manager would, then
   * kills what is left of the tree after {@code grace}.
   */
  static void stopTree(long pid, Duration grace) {
    ProcessHandle.of(pid).ifPresent(process -> {
      List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
      all.add(0, process);
      List<ProcessHandle> top = new ArrayList<>(process.children().toList());
      top.add(process);
      top.forEach(ProcessHandle::destroy);
      long end = System.nanoTime() + grace.toNanos();
      for (ProcessHandle handle : all) {
        long left = Math.max(1, end - System.nanoTime());
        handle.onExit().orTimeout(left, TimeUnit.NANOSECONDS).exceptionally(e -> null).join();
      }
      // whatever did not stop in time (a snapshot: orphans of the tree are included)
      all.forEach(ProcessHandle::destroyForcibly);
    });
  }

  /** The first line of a postmaster.pid file: the postmaster's process id. */
  static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits up to {@code timeout} for the condition, checking every 100 ms. */
  static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  static Map<String, String> noEnv() {
    return Map.of();
  }
}
