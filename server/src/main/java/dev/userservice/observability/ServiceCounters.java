package dev.userservice.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;

/**
 * What an operator of this service counts beside the calls: failed logins, logins refused
 * because the account's attempts are spent (lockouts), and users written by BulkCreateUsers.
 */
public final class ServiceCounters {
  private static final ServiceCounters NONE = new ServiceCounters(
      OpenTelemetry.noop().getMeter(ServiceMetrics.SCOPE));

  private final LongCounter loginFailures;
  private final LongCounter loginLockouts;
  private final LongCounter bulkRows;

  ServiceCounters(Meter meter) {
    loginFailures = meter.counterBuilder("user_service.login.failures").setUnit("{login}")
        .setDescription("Logins refused for a wrong password, an unknown email or an inactive user").build();
    loginLockouts = meter.counterBuilder("user_service.login.lockouts").setUnit("{login}")
        .setDescription("Logins refused because the email has no attempt left in its window").build();
    bulkRows = meter.counterBuilder("user_service.bulk.rows_written").setUnit("{row}")
        .setDescription("Users created by BulkCreateUsers, counted when their transaction commits").build();
    // published from the start, so a rate over them needs no first event
    loginFailures.add(0);
    loginLockouts.add(0);
    bulkRows.add(0);
  }

  /** Counters that count nothing, for a service built without metrics. */
  public static ServiceCounters none() {
    return NONE;
  }

  public void loginFailed() {
    loginFailures.add(1);
  }

  public void loginLockedOut() {
    loginLockouts.add(1);
  }

  public void bulkRowsWritten(long rows) {
    if (rows > 0) {
      bulkRows.add(rows);
    }
  }
}
