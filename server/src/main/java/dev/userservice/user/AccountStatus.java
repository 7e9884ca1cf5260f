package dev.userservice.user;

/** Lifecycle state of a stored account; stored by name. */
public enum AccountStatus {
  ACTIVE,
  INACTIVE
}
