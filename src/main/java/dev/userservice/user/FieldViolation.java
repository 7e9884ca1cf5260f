package dev.userservice.user;

/** One bad field of a request: its name and what is wrong with it. */
public record FieldViolation(String field, String description) {

  @Override
  public String toString() {
    return field + ": " + description;
  }
}
