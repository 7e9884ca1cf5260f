package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Parses the settings' values into typed values, with messages that name the setting, the bad
 * value and what was expected, and keeps what each resolved to for the start-up log.
 */
final class SettingValues {
  private final Function<Setting, String> given;
  private final Map<Setting, String> resolved = new LinkedHashMap<>();

  /** Reads each setting's value, as the command line and environment resolved it, from {@code given}. */
  SettingValues(Function<Setting, String> given) {
    this.given = requireNonNull(given, "given");
  }

  String string(Setting setting) {
    String value = given.apply(setting);
    if (value == null || value.isBlank()) {
      value = setting.defaultValue();
    }
    resolved.put(setting, value);
    return value;
  }

  /** The setting as an int within its range. */
  int integer(Setting setting) {
    Setting.Range range = rangeOf(setting);
    if (range.min() < Integer.MIN_VALUE || range.max() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(setting.displayName() + ": range " + range + " is wider than an int");
    }
    return (int) number(setting, range, "an integer in ");
  }

  /** The setting, a number of milliseconds within its range. */
  Duration millis(Setting setting) {
    return Duration.ofMillis(number(setting, rangeOf(setting), "milliseconds in "));
  }

  private long number(Setting setting, Setting.Range range, String expected) {
    String raw = string(setting);
    try {
      long value = Long.parseLong(raw.trim());
      if (range.contains(value)) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw invalid(setting, raw, expected + range);
  }

  private static Setting.Range rangeOf(Setting setting) {
    return setting.range().orElseThrow(() -> new IllegalArgumentException(setting.displayName() + " has no range"));
  }

  boolean bool(Setting setting) {
    String raw = string(setting);
    String value = raw.trim().toLowerCase(Locale.ROOT);
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw invalid(setting, raw, "true or false");
  }

  /** An optional path that, when given, must name a readable file. */
  Optional<Path> readableFile(Setting setting) {
    String raw = string(setting);
    if (raw == null) {
      return Optional.empty();
    }
    Path path = Path.of(raw);
    if (!Files.isReadable(path) || Files.isDirectory(path)) {
      throw invalid(setting, raw, "a readable file");
    }
    return Optional.of(path);
  }

  Optional<String> optional(Setting setting) {
    return Optional.ofNullable(string(setting));
  }

  String oneOf(Setting setting, List<String> allowed) {
    String raw = string(setting);
    if (!allowed.contains(raw)) {
      throw invalid(setting, raw, "one of " + allowed);
    }
    return raw;
  }

  static ConfigException invalid(Setting setting, String value, String expected) {
    String shown = setting.secret() ? "****" : "'" + value + "'";
    return new ConfigException(setting.displayName() + ": " + shown + " (expected: " + expected + ")");
  }

  /** The value each setting resolved to, secrets masked, for the start-up log. */
  Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    resolved.forEach((setting, value) -> out.put(setting.flag(), mask(setting, value)));
    return out;
  }

  private static String mask(Setting setting, String value) {
    if (value == null) {
      return "(not set)";
    }
    if (setting.secret()) {
      return "****";
    }
    return maskCredentials(value);
  }

  /** The value with any credentials a URL carries (user:password@host, ?password=...) masked. */
  static String maskCredentials(String value) {
    return value.replaceAll("(://[^:/@]+:)[^@]*@", "$1****@").replaceAll("(?i)(password=)[^&;]*", "$1****");
  }
}
