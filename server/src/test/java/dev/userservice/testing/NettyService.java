package dev.userservice.testing;

import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole service on the real Netty transport, on 127.0.0.1 and a free port, over a new
 * in-memory H2 database or a given one; the metrics endpoint is off unless the flags turn it on. Channels it
 * makes are closed with it.
 */
public final class NettyService implements AutoCloseable {
  private final UserServiceApp app;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private NettyService(UserServiceApp app) {
    this.app = app;
  }

  /** Starts the service with these flags added to the defaults. */
  public static NettyService start(String... flags) {
    return onDatabase(DatabaseSettings.inMemoryUrl("n" + UUID.randomUUID().toString().replace("-", "")), flags);
  }

  /** Starts the service on the database at this URL (its DATABASE_URL), with these flags added. */
  public static NettyService onDatabase(String databaseUrl, String... flags) {
    List<String> args = new ArrayList<>(List.of("--grpc-port=0", "--metrics-port=0", "--drain-delay-ms=0",
        "--database-url=" + databaseUrl));
    args.addAll(List.of(flags));
    Config config = Config.load(args.toArray(String[]::new), Map.of("JWT_SECRET", TestTokens.SECRET));
    return new NettyService(UserServiceApp.start(config));
  }

  /** A port nothing listens on right now, for a second server of the test. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return app.port();
  }

  /** A new plaintext channel to the service. */
  public ManagedChannel channel() {
    return channel(Grpc.newChannelBuilderForAddress("127.0.0.1", port(), InsecureChannelCredentials.create()));
  }

  /** Builds the channel from this builder, aimed at the service, and closes it with the service. */
  public ManagedChannel channel(ManagedChannelBuilder<?> builder) {
    ManagedChannel channel = builder.build();
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    app.close();
  }
}
