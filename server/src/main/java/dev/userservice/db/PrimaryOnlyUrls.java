package dev.userservice.db;

import java.util.Locale;

/**
 * Makes a PostgreSQL JDBC URL that names several hosts connect to the primary only: pgjdbc
 * tries the hosts in order and, with {@code targetServerType=primary}, keeps the first one that
 * accepts writes, so after a failover new connections find the promoted server. A URL that
 * sets {@code targetServerType} itself, or names one host, is kept as it is.
 */
final class PrimaryOnlyUrls {
  static final String PREFIX = "jdbc:postgresql://";
  static final String TARGET_PRIMARY = "targetServerType=primary";

  private PrimaryOnlyUrls() {}

  static String apply(String jdbcUrl) {
    if (!jdbcUrl.startsWith(PREFIX) || hostCount(jdbcUrl) < 2
        || jdbcUrl.toLowerCase(Locale.ROOT).contains("targetservertype=")) {
      return jdbcUrl;
    }
    return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + TARGET_PRIMARY;
  }

  /** How many hosts the URL's authority lists (pgjdbc separates them with commas). */
  static int hostCount(String jdbcUrl) {
    String rest = jdbcUrl.substring(PREFIX.length());
    int end = rest.length();
    for (char c : new char[] {'/', '?'}) {
      int at = rest.indexOf(c);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return rest.substring(0, end).split(",", -1).length;
  }
}
