package dev.userservice.db;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.engine.SysProperties;
import org.h2.tools.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way into the embedded database for another process on this machine, while the service holds
 * its file: an H2 TCP server on the loopback interface only, that accepts local connections only,
 * and opens the service's database only for the random key it was started with. The port and key
 * are written to {@value #ACCESS_FILE} in the data folder, readable by the service's own operating
 * system user alone: whoever may read it may already write the database file itself. H2's
 * automatic mixed mode is not used: it listens on every interface, accepts connections from other
 * hosts, and writes its key into a lock file every local user may read.
 */
public final class EmbeddedDatabaseServer implements AutoCloseable {
  /** The file in the data folder that tells a local process how to reach the running service's database. */
  public static final String ACCESS_FILE = "users.access";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseServer.class);
  private static final String LOOPBACK = "127.0.0.1";
  private static final String BIND_ADDRESS_PROPERTY = "h2.bindAddress";

  private final Server server;
  private final Path accessFile;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedDatabaseServer(Server server, Path accessFile) {
    this.server = server;
    this.accessFile = accessFile;
  }

  /**
   * Makes every H2 server of this process listen on the loopback interface only. H2 reads the
   * property once, when its first class loads, so this must run before any database is opened.
   */
  public static void bindToLoopback() {
    if (System.getProperty(BIND_ADDRESS_PROPERTY) == null) {
      System.setProperty(BIND_ADDRESS_PROPERTY, LOOPBACK);
    }
  }

  /**
   * Serves the open embedded database of {@code dataDir} to local processes; empty, with a
   * warning, when H2 would not listen on the loopback interface alone (its classes loaded before
   * {@link #bindToLoopback()}) or the data folder cannot keep a file private.
   */
  public static Optional<EmbeddedDatabaseServer> start(Path dataDir) {
    requireNonNull(dataDir, "dataDir");
    if (!isLoopback(SysProperties.BIND_ADDRESS)) {
      log.warn("admin commands cannot reach the embedded database while the service runs: H2 would not"
          + " listen on the loopback interface alone");
      return Optional.empty();
    }
    Path folder = dataDir.toAbsolutePath().normalize();
    if (!folder.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      log.warn("admin commands cannot reach the embedded database while the service runs: {} cannot keep a"
          + " file private to this user", folder);
      return Optional.empty();
    }
    String key = randomHex();
    Server server;
    try {
      // no -tcpAllowOthers: connections from other hosts are refused; -ifExists: no new database
      server = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-ifExists", "-tcpPassword", randomHex(),
          "-key", key, DatabaseSettings.embeddedDatabaseName(folder)).start();
    } catch (SQLException e) {
      log.warn("admin commands cannot reach the embedded database while the service runs: its local server"
          + " did not start ({})", e.getSQLState());
      return Optional.empty();
    }
    Path accessFile = folder.resolve(ACCESS_FILE);
    try {
      writePrivately(accessFile, server.getPort(), key);
    } catch (IOException | UncheckedIOException e) {
      server.stop();
      log.warn("admin commands cannot reach the embedded database while the service runs: cannot write {}",
          accessFile, e);
      return Optional.empty();
    }
    log.info("embedded database open to local admin commands on {}:{}", LOOPBACK, server.getPort());
    return Optional.of(new EmbeddedDatabaseServer(server, accessFile));
  }

  /**
   * The JDBC URL of the running service's embedded database in {@code dataDir}, when a service
   * serves it; whether it still runs is found out by connecting.
   *
   * @throws UncheckedIOException when the access file exists but cannot be read
   */
  public static Optional<String> runningServiceUrl(Path dataDir) {
    Path accessFile = dataDir.toAbsolutePath().normalize().resolve(ACCESS_FILE);
    if (!Files.exists(accessFile)) {
      return Optional.empty();
    }
    Properties access = new Properties();
    try (Reader in = Files.newBufferedReader(accessFile, StandardCharsets.UTF_8)) {
      access.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + accessFile, e);
    }
    String port = access.getProperty("port", "");
    String key = access.getProperty("key", "");
    if (!port.matches("\\d{1,5}") || !key.matches("[0-9a-f]{64}")) {
      return Optional.empty();
    }
    return Optional.of(DatabaseSettings.loopbackServerUrl(Integer.parseInt(port), key));
  }

  private static void writePrivately(Path accessFile, int port, String key) throws IOException {
    Path temporary = Files.createTempFile(accessFile.getParent(), ".access", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      out.write("# how admin commands reach the running service's database; removed when it stops\n");
      out.write("port=" + port + "\nkey=" + key + "\n");
    }
    Files.move(temporary, accessFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String randomHex() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The port it listens on, on the loopback interface. */
  public int port() {
    return server.getPort();
  }

  /** Removes the access file and stops the server, once; the database stays open for the service. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      Files.deleteIfExists(accessFile);
    } catch (IOException e) {
      log.warn("cannot remove {}", accessFile, e);
    }
    server.stop();
  }
}
