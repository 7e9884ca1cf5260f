package dev.userservice.user.rpc;

import dev.userservice.user.User;
import dev.userservice.user.UserMessages;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The outbound side of one UserUpdates stream, shared by the stream's own answers and the
 * changes other writers make. Every write goes through this object's lock, so the observer is
 * never used from two threads at once.
 *
 * <p>A subscriber never sees a version of a user twice or out of order: a change is sent only
 * if it is newer than what the stream last sent for that user. Changes wait while the client
 * reads slowly, but only the newest per user is kept, so a slow reader costs at most one user
 * state per subscription and never blocks the replica's listener. While the stream's own
 * update of a user is in flight, changes of that user wait for its answer, which always comes
 * first.
 */
final class UpdateStreamSender {
  /** Changes written while the transport reports not ready, before waiting for it. */
  static final int MAX_UNREADY_SENDS = 16;

  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final Map<UUID, Long> sentVersions = new HashMap<>();
  private final Map<UUID, User> waiting = new LinkedHashMap<>();
  private final Set<UUID> updating = new HashSet<>();
  private boolean closed;
  private int unreadySends;

  UpdateStreamSender(ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    this.out = out;
  }

  /** Holds back changes of {@code id} until the stream's own update of it is answered. */
  synchronized void beginOwnUpdate(UUID id) {
    updating.add(id);
  }

  /** Sends the answer to one of the stream's requests; answers are never dropped. */
  synchronized void answer(User user) {
    updating.remove(user.id());
    if (closed) {
      return;
    }
    out.onNext(UserMessages.toMessage(user));
    sentVersions.merge(user.id(), user.version(), Math::max);
    drainLocked();
  }

  /** Queues a change made anywhere; sent when the client can take it. */
  synchronized void offer(User user) {
    if (closed || user.version() <= sentVersions.getOrDefault(user.id(), 0L)) {
      return;
    }
    User queued = waiting.get(user.id());
    if (queued == null || queued.version() < user.version()) {
      waiting.put(user.id(), user);
    }
    drainLocked();
  }

  /** Sends what waits: the transport is ready again. */
  synchronized void drain() {
    unreadySends = 0;
    drainLocked();
  }

  private void drainLocked() {
    Iterator<User> it = waiting.values().iterator();
    while (!closed && it.hasNext() && (out.isReady() || unreadySends < MAX_UNREADY_SENDS)) {
      User user = it.next();
      if (updating.contains(user.id())) {
        continue;
      }
      it.remove();
      if (user.version() > sentVersions.getOrDefault(user.id(), 0L)) {
        if (!out.isReady()) {
          unreadySends++;
        }
        out.onNext(UserMessages.toMessage(user));
        sentVersions.put(user.id(), user.version());
      }
    }
  }

  /** Ends the stream successfully, once. */
  synchronized void complete() {
    if (!closed) {
      closed = true;
      waiting.clear();
      out.onCompleted();
    }
  }

  /** Ends the stream with the status the error maps to, once. */
  synchronized void fail(Throwable error) {
    if (!closed) {
      closed = true;
      waiting.clear();
      out.onError(error);
    }
  }

  /** Stops sending: the call is over. */
  synchronized void cancelled() {
    closed = true;
    waiting.clear();
  }
}
