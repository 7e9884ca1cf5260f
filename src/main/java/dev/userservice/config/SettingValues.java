package dev.userservice.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves settings from flags ({@code --name=value} or {@code --name value}), then the
 * environment, then the default, and parses them into typed values with messages that name
 * the setting, the bad value and what was expected.
 */
final class SettingValues {
  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final Map<Setting, String> resolved = new LinkedHashMap<>();

  SettingValues(List<Setting> known, String[] args, Map<String, String> env) {
    this.env = env;
    this.flags = parseFlags(known, args);
  }

  private static Map<String, String> parseFlags(List<Setting> known, String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new ConfigException("unexpected argument: " + arg + " (expected: --name=value; see --help)");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new ConfigException("flag --" + name + " needs a value");
      }
      String flagName = name;
      if (known.stream().noneMatch(s -> s.flag().equals(flagName))) {
        throw new ConfigException("unknown flag: --" + name + " (see --help)");
      }
      flags.put(name, value);
    }
    return flags;
  }

  String string(Setting setting) {
    String value = flags.get(setting.flag());
    if (value == null) {
      value = env.get(setting.env());
    }
    if (value == null || value.isBlank()) {
      value = setting.defaultValue();
    }
    resolved.put(setting, value);
    return value;
  }

  int integer(Setting setting, int min, int max) {
    String raw = string(setting);
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw invalid(setting, raw, "an integer in " + min + ".." + max);
  }

  Duration millis(Setting setting, long min, long max) {
    String raw = string(setting);
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= min && value <= max) {
        return Duration.ofMillis(value);
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw invalid(setting, raw, "milliseconds in " + min + ".." + max);
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
