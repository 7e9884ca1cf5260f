package dev.userservice.user.batching;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.User;
import dev.userservice.user.UserRepository;
import dev.userservice.user.batching.CallBatcher.Pending;
import dev.userservice.user.batching.CallBatcher.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * GetUser's lookups by id, answered in batches ({@link CallBatcher}): the lookups that wait
 * while queries run are answered by one {@code id = any(?)} query.
 */
public final class UserLookups {
  static final int MAX_BATCH = 64;

  private final UserRepository users;
  private final CallBatcher<Lookup> batcher;

  /**
   * @param workers run the queries
   * @param maxQueries most queries at once
   */
  public UserLookups(UserRepository users, DatabaseWorkers workers, int maxQueries) {
    this.users = requireNonNull(users, "users");
    this.batcher = new CallBatcher<>(this::lookUp, workers, MAX_BATCH, maxQueries);
  }

  /** Looks {@code id} up for the current call and answers later with the user, if any. */
  public void find(UUID id, CallAnswer<Optional<User>> answer) {
    batcher.submit(new Lookup(requireNonNull(id, "id"), requireNonNull(answer, "answer")));
  }

  private List<Reply> lookUp(List<Pending<Lookup>> batch) {
    Set<UUID> ids = new HashSet<>();
    batch.forEach(pending -> ids.add(pending.item().id));
    Map<UUID, User> found = new HashMap<>();
    for (User user : users.findByIds(ids)) {
      found.put(user.id(), user);
    }
    List<Reply> replies = new ArrayList<>(batch.size());
    for (Pending<Lookup> pending : batch) {
      Optional<User> user = Optional.ofNullable(found.get(pending.item().id));
      replies.add(pending.reply(() -> pending.item().answer.succeeded(user)));
    }
    return replies;
  }

  private record Lookup(UUID id, CallAnswer<Optional<User>> answer) implements CallBatcher.Item {}
}
