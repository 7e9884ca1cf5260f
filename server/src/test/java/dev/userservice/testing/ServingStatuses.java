package dev.userservice.testing;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a service's health (for user.v1.UserService) to reach a status. */
public final class ServingStatuses {
  private ServingStatuses() {}

  /** The status the service reports now; UNKNOWN when the check itself fails. */
  public static ServingStatus of(ManagedChannel channel) {
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService("user.v1.UserService").build()).getStatus();
    } catch (StatusRuntimeException e) {
      return ServingStatus.UNKNOWN;
    }
  }

  /** Waits until the service reports {@code status}. */
  public static void await(ManagedChannel channel, ServingStatus status, Duration timeout) {
    awaitTrue(timeout, "health " + status, () -> of(channel) == status);
  }

  /** Waits until the condition holds, checking every 100 ms. */
  public static void awaitTrue(Duration timeout, String what, BooleanSupplier condition) {
    PostgresCommands.await(timeout, what, condition);
  }
}
