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
   * used, returns the user that create stored and stores nothing; the caller checks the password
   * (only the earlier create's hash is stored).
   *
   * @throws EmailTakenException when another user has the email
   * @throws RequestIdReusedException when the earlier create with the request id asked for
   *     another email or name
   */
  User create(UUID id, NewUser user);

  /**
   * Stores new ACTIVE users in one transaction, skipping each one whose email or request id is
   * taken, by a stored user or an earlier one of the list.
   *
   * @return for each user in order, the user as stored, or empty when it was skipped
   */
  default List<Optional<User>> createAllSkippingTaken(List<UUID> ids, List<NewUser> users) {
    List<Optional<User>> stored = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i++) {
      try {
        User user = create(ids.get(i), users.get(i));
        // a repeated request id answers with the earlier user: not this one
        stored.add(user.id().equals(ids.get(i)) ? Optional.of(user) : Optional.empty());
      } catch (EmailTakenException | RequestIdReusedException e) {
        stored.add(Optional.empty());
      }
    }
    return stored;
  }

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
