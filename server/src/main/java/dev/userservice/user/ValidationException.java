package dev.userservice.user;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request had one or more bad fields: the first {@link #MAX_VIOLATIONS} are listed, and the
 * message starts with the count of all when there were more, so that the error stays small
 * whatever the request.
 */
public final class ValidationException extends RuntimeException {
  /** Bad fields an error lists at most. */
  public static final int MAX_VIOLATIONS = 10;
  private static final long serialVersionUID = 1L;

  private final transient List<FieldViolation> violations;

  public ValidationException(List<FieldViolation> violations) {
    super(message(violations));
    this.violations = List.copyOf(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)));
  }

  public ValidationException(String field, String description) {
    this(List.of(new FieldViolation(field, description)));
  }

  private static String message(List<FieldViolation> violations) {
    String listed = violations.stream().limit(MAX_VIOLATIONS).map(FieldViolation::toString)
        .collect(Collectors.joining("; "));
    // the count first, so that cutting a long message keeps it
    return violations.size() > MAX_VIOLATIONS
        ? violations.size() + " bad fields, the first " + MAX_VIOLATIONS + ": " + listed
        : listed;
  }

  /** The bad fields listed, in request order: at most {@link #MAX_VIOLATIONS}. */
  public List<FieldViolation> violations() {
    return violations;
  }
}
