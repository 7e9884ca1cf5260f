package dev.userservice.user.batching;

import static java.util.Objects.requireNonNull;

import dev.userservice.db.TransactionConflictException;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.NewUser;
import dev.userservice.user.RequestIdReusedException;
import dev.userservice.user.User;
import dev.userservice.user.UserRepository;
import dev.userservice.user.batching.CallBatcher.Pending;
import dev.userservice.user.batching.CallBatcher.Reply;
import io.grpc.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * CreateUser's inserts, stored in batches ({@link CallBatcher}): the creates that wait while
 * others are written go in together, one transaction and one commit for all of them.
 *
 * <p>A user the batch skips because its email or request id is taken (by an existing user or an
 * earlier one of the batch) is then created alone, which answers exactly as a single create
 * does: the earlier user for a retry of the same request (same email, name and password), a
 * {@link RequestIdReusedException} for a different request with the same request id, else
 * ALREADY_EXISTS. A transaction that loses to a concurrent one (a deadlock) is tried again, up to
 * {@link #MAX_ATTEMPTS} times; a batch whose transaction still fails stores none of its users and
 * fails every call in it.
 */
public final class UserCreates {
  static final int MAX_BATCH = 64;
  static final int MAX_ATTEMPTS = 3;

  private final UserRepository users;
  private final PasswordHasher hasher;
  private final CallBatcher<Create> batcher;

  /**
   * @param hasher checks a retried create's password against the stored hash
   * @param workers run the inserts
   * @param maxTransactions most insert transactions at once
   */
  public UserCreates(UserRepository users, PasswordHasher hasher, DatabaseWorkers workers, int maxTransactions) {
    this.users = requireNonNull(users, "users");
    this.hasher = requireNonNull(hasher, "hasher");
    this.batcher = new CallBatcher<>(this::store, workers, MAX_BATCH, maxTransactions);
  }

  /**
   * Stores {@code user} under {@code id} for the current call and answers later.
   *
   * @param password the password the request gave (its hash is in {@code user}), empty for none;
   *     kept only to tell a retry of the same request when the request id was used before
   */
  public void create(UUID id, NewUser user, String password, CallAnswer<User> answer) {
    batcher.submit(new Create(requireNonNull(id, "id"), requireNonNull(user, "user"),
        requireNonNull(password, "password"), requireNonNull(answer, "answer")));
  }

  /**
   * Stores the batch; a create the batch skipped is stored alone here too, so that every insert
   * is done while the batch holds its place. Returns the answers of the others.
   */
  private List<Reply> store(List<Pending<Create>> batch) {
    if (batch.size() == 1) {
      Pending<Create> only = batch.get(0);
      User created = sameRequest(only.item(), retryingConflicts(() -> users.create(only.item().id, only.item().user)));
      return List.of(only.reply(() -> only.item().answer.succeeded(created)));
    }
    List<UUID> ids = new ArrayList<>(batch.size());
    List<NewUser> newUsers = new ArrayList<>(batch.size());
    for (Pending<Create> pending : batch) {
      ids.add(pending.item().id);
      newUsers.add(pending.item().user);
    }
    List<Optional<User>> stored = retryingConflicts(() -> users.createAllSkippingTaken(ids, newUsers));
    List<Reply> replies = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending<Create> pending = batch.get(i);
      Optional<User> user = stored.get(i);
      if (user.isPresent()) {
        replies.add(pending.reply(() -> pending.item().answer.succeeded(user.get())));
      } else {
        pending.answer(() -> createAlone(pending.item()));
      }
    }
    return replies;
  }

  private void createAlone(Create create) {
    User user;
    try {
      user = sameRequest(create, retryingConflicts(() -> users.create(create.id, create.user)));
    } catch (RuntimeException e) {
      create.answer.failed(e);
      return;
    }
    create.answer.succeeded(user);
  }

  /**
   * {@code stored} when this create stored it; when an earlier create with the request id did,
   * that user only if the password is the one it was given too (email and name the repository
   * checked).
   *
   * @throws RequestIdReusedException when the passwords differ
   */
  private User sameRequest(Create create, User stored) {
    if (stored.id().equals(create.id)) {
      return stored;
    }
    Optional<String> storedHash = users.findCredentials(stored.email())
        .filter(credentials -> credentials.id().equals(stored.id()))
        .orElseThrow(RequestIdReusedException::new)
        .passwordHash();
    boolean samePassword = create.password.isEmpty()
        ? storedHash.isEmpty()
        : storedHash.isPresent() && hasher.verify(create.password, storedHash.get());
    if (!samePassword) {
      throw new RequestIdReusedException();
    }
    return stored;
  }

  /** Runs {@code work}, again when its transaction lost to a concurrent one, while the calls are open. */
  private static <R> R retryingConflicts(Supplier<R> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return work.get();
      } catch (TransactionConflictException e) {
        if (attempt >= MAX_ATTEMPTS || Context.current().isCancelled()) {
          throw e;
        }
      }
    }
  }

  private record Create(UUID id, NewUser user, String password, CallAnswer<User> answer) implements CallBatcher.Item {
    @Override
    public String toString() {
      return "Create[id=" + id + "]"; // never the password
    }
  }
}
