package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.CallBatcher.Pending;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * CreateUser's inserts, stored in batches ({@link CallBatcher}): the creates that wait while
 * others are written go in together, one transaction and one commit for all of them.
 *
 * <p>A user the batch skips because its email or request id is taken (by an existing user or an
 * earlier one of the batch) is then created alone, which answers exactly as a single create
 * does: the earlier user for a repeated request id, else ALREADY_EXISTS. A batch whose
 * transaction fails stores none of its users and fails every call in it.
 */
final class UserCreates {
  static final int MAX_BATCH = 64;

  private final UserRepository users;
  private final CallBatcher<Create> batcher;

  /**
   * @param executor runs the inserts
   * @param maxTransactions most insert transactions at once
   */
  UserCreates(UserRepository users, Executor executor, int maxTransactions) {
    this.users = requireNonNull(users, "users");
    this.batcher = new CallBatcher<>(this::store, executor, MAX_BATCH, maxTransactions);
  }

  /** Stores {@code user} under {@code id} for the current call and answers later. */
  void create(UUID id, NewUser user, CallAnswer<User> answer) {
    batcher.submit(new Create(requireNonNull(id, "id"), requireNonNull(user, "user"), requireNonNull(answer, "answer")));
  }

  private void store(List<Pending<Create>> batch) {
    if (batch.size() == 1) {
      Pending<Create> only = batch.get(0);
      User created = users.create(only.item().id, only.item().user);
      only.answer(() -> only.item().answer.succeeded(created));
      return;
    }
    List<UUID> ids = new ArrayList<>(batch.size());
    List<NewUser> newUsers = new ArrayList<>(batch.size());
    for (Pending<Create> pending : batch) {
      ids.add(pending.item().id);
      newUsers.add(pending.item().user);
    }
    List<Optional<User>> stored = users.createAllSkippingTaken(ids, newUsers);
    for (int i = 0; i < batch.size(); i++) {
      Pending<Create> pending = batch.get(i);
      Optional<User> user = stored.get(i);
      if (user.isPresent()) {
        pending.answer(() -> pending.item().answer.succeeded(user.get()));
      } else {
        pending.answer(() -> createAlone(pending.item()));
      }
    }
  }

  private void createAlone(Create create) {
    User user;
    try {
      user = users.create(create.id, create.user);
    } catch (RuntimeException e) {
      create.answer.failed(e);
      return;
    }
    create.answer.succeeded(user);
  }

  private record Create(UUID id, NewUser user, CallAnswer<User> answer) implements CallBatcher.Item {}
}
