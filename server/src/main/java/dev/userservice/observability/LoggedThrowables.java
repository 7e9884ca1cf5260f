package dev.userservice.observability;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A copy of an exception chain fit for the log. Database drivers put values into their messages
 * (H2 quotes the row of a violated constraint or a too-long value; PostgreSQL's detail quotes a
 * duplicate key), and those values are a user's email, name or password hash. Each
 * {@link SQLException} of the chain, and any exception of a driver's package, is therefore
 * logged by class, SQL state and vendor code, its message withheld; the service's own exceptions
 * and the stack traces stay as they are.
 */
public final class LoggedThrowables {
  private static final String[] DRIVER_PACKAGES = {"org.postgresql.", "org.h2."};
  private static final int MAX_DEPTH = 32;

  private LoggedThrowables() {}

  /** {@code t} and its causes and suppressed exceptions, with every driver message withheld. */
  public static Throwable redacted(Throwable t) {
    return copy(t, new IdentityHashMap<>(), 0);
  }

  /** One line naming the root cause, its message withheld when a driver wrote it. */
  public static String rootSummary(Throwable t) {
    Throwable root = t;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < MAX_DEPTH; depth++) {
      root = root.getCause();
    }
    return describe(root);
  }

  private static Throwable copy(Throwable t, Map<Throwable, Throwable> copied, int depth) {
    Throwable done = copied.get(t);
    if (done != null) {
      return done;
    }
    Logged copy = new Logged(describe(t));
    copy.setStackTrace(t.getStackTrace());
    copied.put(t, copy);
    if (depth < MAX_DEPTH && t.getCause() != null) {
      copy.initCause(copy(t.getCause(), copied, depth + 1));
    }
    for (Throwable suppressed : t.getSuppressed()) {
      if (depth < MAX_DEPTH) {
        copy.addSuppressed(copy(suppressed, copied, depth + 1));
      }
    }
    return copy;
  }

  private static String describe(Throwable t) {
    String type = t.getClass().getName();
    if (t instanceof SQLException sql) {
      return type + " (SQL state " + sql.getSQLState() + ", error code " + sql.getErrorCode()
          + "; message withheld: it can quote bound values)";
    }
    for (String driver : DRIVER_PACKAGES) {
      if (type.startsWith(driver)) {
        return type + " (message withheld: it can quote bound values)";
      }
    }
    return t.getMessage() == null ? type : type + ": " + t.getMessage();
  }

  /** An exception of the copied chain; its message names the original's class. */
  private static final class Logged extends Exception {
    private static final long serialVersionUID = 1L;

    Logged(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // the original's stack trace is set in its place
    }
  }
}
