/**
 * Who is calling: the {@link dev.userservice.identity.Principal}, access tokens (issued and
 * verified), password hashing (on threads the application gives it), the auth interceptor that
 * checks every call and stream message against the caller's current account state, and the
 * {@link dev.userservice.identity.AccountStates} interface the user package implements. It
 * depends on observability at most, never on user, login or server; failures are passed on for
 * the server to map.
 */
package dev.userservice.identity;
