package dev.userservice.testing;

import com.google.protobuf.FieldMask;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.client.UserServiceClient;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UserUpdates stream that follows one user: it touches the user once (setting its name),
 * then keeps every later version of the user the service sends.
 */
public final class ChangeWatcher implements AutoCloseable {
  private final RecordingObserver<User> received = new RecordingObserver<>();
  private final StreamObserver<UserUpdateRequest> requests;

  private ChangeWatcher(UserServiceClient client, String userId, String name) {
    requests = client.userUpdates(received, Duration.ofMinutes(10));
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(userId).setName(name)
        .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build());
  }

  /** Follows the user from now on, setting its name to {@code name} first. */
  public static ChangeWatcher follow(UserServiceClient client, String userId, String name) {
    ChangeWatcher watcher = new ChangeWatcher(client, userId, name);
    watcher.awaitName(name, Duration.ofSeconds(20));
    return watcher;
  }

  /** Waits until a version with this name arrived; fails with what came when it does not. */
  public void awaitName(String name, Duration timeout) {
    try {
      PostgresCommands.await(timeout, "a change to " + name + " on the stream", () -> names().contains(name));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; received " + names()
          + (received.ended() ? ", stream ended: " + received.error() : ""), e);
    }
  }

  /** The names of the versions received, in order. */
  public List<String> names() {
    List<String> names = new CopyOnWriteArrayList<>();
    received.values().forEach(user -> names.add(user.getName()));
    return names;
  }

  /** Whether the stream ended (it should not, across a failover). */
  public boolean ended() {
    return received.ended();
  }

  @Override
  public void close() {
    if (!received.ended()) {
      requests.onCompleted();
    }
  }
}
