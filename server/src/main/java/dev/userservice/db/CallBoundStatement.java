package dev.userservice.db;

import io.grpc.Context;
import io.grpc.Context.CancellationListener;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;

/**
 * Ties a running statement to the gRPC call it serves: when the call is cancelled or its
 * deadline passes, the statement is cancelled in the database, so no query outlives its call.
 *
 * <p>Use in try-with-resources around the statement's execution.
 */
public final class CallBoundStatement implements AutoCloseable {
  private static final Executor DIRECT = Runnable::run;

  private final Context context;
  private final CancellationListener listener;

  private CallBoundStatement(Context context, Statement statement) {
    this.context = context;
    this.listener = cancelled -> cancelQuietly(statement);
  }

  /**
   * Binds {@code statement} to the current call.
   *
   * @throws QueryCancelledException when the call has already ended
   */
  public static CallBoundStatement bind(Statement statement) {
    Context context = Context.current();
    if (context.isCancelled()) {
      throw new QueryCancelledException("call ended before the statement ran", context.cancellationCause());
    }
    CallBoundStatement bound = new CallBoundStatement(context, statement);
    context.addListener(bound.listener, DIRECT);
    return bound;
  }

  private static void cancelQuietly(Statement statement) {
    try {
      statement.cancel();
    } catch (SQLException | RuntimeException ignored) {
      // the statement may have finished or closed meanwhile; nothing is left to stop
    }
  }

  @Override
  public void close() {
    context.removeListener(listener);
  }
}
