package dev.userservice.user;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A user's roles as the {@code roles} column keeps them (comma-separated) and the rules a role
 * set by an update must follow. Reading is lenient, so roles an operator wrote by hand still
 * count.
 */
public final class Roles {
  /** Most roles one user may be given through an update. */
  static final int MAX_ROLES = 16;
  /** A role: a lower-case letter, then up to 29 lower-case letters, digits, '-' or '_'. */
  private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_-]{0,29}");

  private Roles() {}

  /** The roles of a column value; blanks are ignored. */
  public static Set<String> parse(String column) {
    if (column == null || column.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(column.split(",")).map(String::trim).filter(r -> !r.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The column value for these roles: sorted, comma-separated. */
  public static String format(Set<String> roles) {
    return String.join(",", sorted(roles));
  }

  public static List<String> sorted(Set<String> roles) {
    if (roles.size() < 2) {
      return List.copyOf(roles); // most users have none: no stream, no sort
    }
    return roles.stream().sorted().toList();
  }

  /**
   * The roles an update asks for, once each is valid; every bad one is added to {@code violations}.
   */
  public static Set<String> validate(String field, List<String> requested, List<FieldViolation> violations) {
    if (requested.size() > MAX_ROLES) {
      violations.add(new FieldViolation(field, "has " + requested.size() + " roles (expected: at most " + MAX_ROLES
          + ")"));
      return Set.of();
    }
    for (int i = 0; i < requested.size(); i++) {
      String role = requested.get(i);
      if (!ROLE.matcher(role).matches()) {
        violations.add(new FieldViolation(field + "[" + i + "]", "is '"
            + FieldViolation.echo(role).replaceAll("\\p{Cntrl}", "?")
            + "' (expected: 1 to 30 characters of a-z, 0-9, '-' and '_', starting with a letter)"));
      }
    }
    return Set.copyOf(requested);
  }
}
