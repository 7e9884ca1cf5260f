package dev.userservice.identity;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that passed verification, so a client sending the same token on every call pays for
 * the signature and the claim parsing once. A token is the same string only when it carries
 * the same signature, so an entry answers only for exactly that token, and only inside the
 * validity window its verified claims gave ({@code nbf} to {@code exp}); outside it the token
 * is verified again, and refused as the claims say. The number of entries is bounded: when
 * full, expired entries go first and then everything.
 */
final class VerifiedTokens {
  private record Entry(Principal principal, Instant validFrom, Instant validUntil) {
    boolean validAt(Instant now) {
      return !now.isBefore(validFrom) && now.isBefore(validUntil);
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final int capacity;

  VerifiedTokens(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
  }

  /** The principal of {@code token} when it was verified before and {@code now} is inside its window. */
  Optional<Principal> get(String token, Instant now) {
    Entry entry = entries.get(token);
    if (entry == null) {
      return Optional.empty();
    }
    if (!entry.validAt(now)) {
      entries.remove(token, entry);
      return Optional.empty();
    }
    return Optional.of(entry.principal());
  }

  /** Remembers a verified token for its window {@code [validFrom, validUntil)}. */
  void put(String token, Principal principal, Instant validFrom, Instant validUntil, Instant now) {
    requireNonNull(principal, "principal");
    Entry entry = new Entry(principal, validFrom, validUntil);
    if (!entry.validAt(now)) {
      return;
    }
    if (entries.size() >= capacity) {
      entries.values().removeIf(e -> !e.validAt(now));
      if (entries.size() >= capacity) {
        entries.clear();
      }
    }
    entries.put(token, entry);
  }

  int size() {
    return entries.size();
  }
}
