package dev.userservice.user;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Stored user accounts. Every method runs against the database as the current gRPC call: a
 * cancelled or expired call stops its statement.
 */
public interface UserRepository {

  /** The user with this id, if any. */
  Optional<User> findById(UUID id);

  /** The users with these ids, in no particular order; ids without a user are left out. */
  default List<User> findByIds(Set<UUID> ids) {
    List<User> found = new ArrayList<>(ids.size());
    for (UUID id : ids) {
      findById(id).ifPresent(found::add);
    }
    return found;
  }

  /** The login data of the user with this (lower-case) email, if any. */
  Optional<Credentials> findCredentials(String email);

  /**
   * Stores a new ACTIVE user. When {@code user} carries a request id that an earlier create
   * used, returns the user that create stored and stores nothing.
   *
   * @throws EmailTakenException when another user has the email
   */
  User create(UUID id, NewUser user);

  /** Up to {@code limit} users with ids greater than {@code afterId} (all, when empty), in id order. */
  List<User> listAfter(Optional<UUID> afterId, int limit);

  /**
   * Applies {@code changes} to one user and returns it as stored.
   *
   * @throws UserNotFoundException when no user has the id
   * @throws StaleEtagException when the expected etag no longer matches
   * @throws EmailTakenException when the new email belongs to another user
   */
  User update(UUID id, UserChanges changes);

  /**
   * Starts a bulk insert: one transaction that stays open until it is committed or rolled back.
   * The caller must close it.
   */
  BulkInsert openBulkInsert();

  /**
   * One transaction of inserts. Not thread-safe; one stream uses it at a time.
   */
  interface BulkInsert extends AutoCloseable {

    /**
     * Inserts the users in one round trip and tells, for each, whether it was stored; one
     * whose email exists (or came earlier in this transaction) is skipped.
     */
    boolean[] insert(List<UUID> ids, List<NewUser> users);

    /** Makes every insert of this transaction durable. */
    void commit();

    /** Rolls back anything not committed and returns the connection. Safe to call twice. */
    @Override
    void close();
  }
}
