package dev.userservice.config;

import java.util.Locale;

/** How log lines are written: human-readable text, or one JSON object per line. */
public enum LogFormat {
  TEXT,
  JSON;

  /** The setting's spelling of this format. */
  String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
