package dev.userservice.user;

import java.util.List;
import java.util.stream.Collectors;

/** A request had one or more bad fields; all of them are listed. */
public final class ValidationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<FieldViolation> violations;

  public ValidationException(List<FieldViolation> violations) {
    super(violations.stream().map(FieldViolation::toString).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public ValidationException(String field, String description) {
    this(List.of(new FieldViolation(field, description)));
  }

  /** Every bad field, in request order. */
  public List<FieldViolation> violations() {
    return violations;
  }
}
