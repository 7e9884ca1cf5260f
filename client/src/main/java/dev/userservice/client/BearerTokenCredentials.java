package dev.userservice.client;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Sends {@code authorization: Bearer <token>} with every call, asking the supplier each time
 * so that a refreshed token is used as soon as it exists.
 */
public final class BearerTokenCredentials extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Supplier<String> tokens;

  BearerTokenCredentials(Supplier<String> tokens) {
    this.tokens = requireNonNull(tokens, "tokens");
  }

  /** Credentials that send the token {@code tokens} supplies at each call. */
  public static CallCredentials of(Supplier<String> tokens) {
    return new BearerTokenCredentials(tokens);
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    // the supplier may block (fetching or refreshing a token), which must not happen on a transport thread
    appExecutor.execute(() -> {
      String token;
      try {
        token = tokens.get();
      } catch (RuntimeException e) {
        applier.fail(Status.UNAUTHENTICATED.withDescription("the bearer token supplier failed").withCause(e));
        return;
      }
      Metadata headers = new Metadata();
      // no token: the call goes without one, as CreateUser and Login allow
      if (token != null && !token.isEmpty()) {
        headers.put(AUTHORIZATION, "Bearer " + token);
      }
      applier.apply(headers);
    });
  }
}
