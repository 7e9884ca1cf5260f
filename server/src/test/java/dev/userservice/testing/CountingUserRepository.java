package dev.userservice.testing;

import dev.userservice.user.NewUser;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserRepository;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** A repository that passes every call through and counts them, and the list batches read. */
public final class CountingUserRepository implements UserRepository {
  private final UserRepository delegate;
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicInteger calls = new AtomicInteger();

  public CountingUserRepository(UserRepository delegate) {
    this.delegate = delegate;
  }

  public int listCalls() {
    return listCalls.get();
  }

  /** Calls of any method. */
  public int calls() {
    return calls.get();
  }

  @Override
  public Optional<User> findById(UUID id) {
    calls.incrementAndGet();
    return delegate.findById(id);
  }

  @Override
  public Optional<dev.userservice.user.Credentials> findCredentials(String email) {
    calls.incrementAndGet();
    return delegate.findCredentials(email);
  }

  @Override
  public User create(UUID id, NewUser user) {
    calls.incrementAndGet();
    return delegate.create(id, user);
  }

  @Override
  public List<User> listAfter(Optional<UUID> afterId, int limit) {
    calls.incrementAndGet();
    listCalls.incrementAndGet();
    return delegate.listAfter(afterId, limit);
  }

  @Override
  public User update(UUID id, UserChanges changes) {
    calls.incrementAndGet();
    return delegate.update(id, changes);
  }

  @Override
  public BulkInsert openBulkInsert() {
    calls.incrementAndGet();
    return delegate.openBulkInsert();
  }
}
