package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The settings as picocli options: each takes {@code --flag value} or {@code --flag=value}, and
 * when it is not given falls back to its environment variable, then to its default.
 */
final class SettingOptions {
  private SettingOptions() {}

  static void addTo(CommandSpec command, List<Setting> settings, Map<String, String> env) {
    requireNonNull(command, "command");
    requireNonNull(env, "env");
    for (Setting setting : settings) {
      command.addOption(option(setting));
    }
    command.defaultValueProvider(arg -> setting(arg) == null ? null : fromEnvironment(setting(arg), env));
    // values are taken literally (a password may hold "${" or start with "@"), and the last of a
    // repeated flag wins, so a launcher's defaults can be overridden by flags added after them
    command.interpolateVariables(false);
    command.parser().expandAtFiles(false).overwrittenOptionsAllowed(true);
  }

  /** The value each setting of a parsed command resolved to: its flag, else environment, else default. */
  static Function<Setting, String> values(CommandSpec command) {
    return setting -> command.findOption(setting.flag()).getValue();
  }

  private static OptionSpec option(Setting setting) {
    String where = "env " + setting.env() + (setting.defaultValue() == null ? "" : ", default " + setting.defaultValue())
        // "from 1 to 1000": help text is wrapped at dots too, so "1..1000" could be cut in two
        + setting.range().map(range -> ", from " + range.min() + " to " + range.max()).orElse("");
    return OptionSpec.builder("--" + setting.flag())
        .type(String.class)
        .paramLabel("<value>")
        // picocli formats descriptions: a literal percent sign must be doubled
        .description(setting.description().replace("%", "%%"), "(" + where + ")")
        .userObject(setting)
        .build();
  }

  private static Setting setting(ArgSpec arg) {
    return arg.userObject() instanceof Setting setting ? setting : null;
  }

  private static String fromEnvironment(Setting setting, Map<String, String> env) {
    String value = env.get(setting.env());
    return value == null || value.isBlank() ? setting.defaultValue() : value;
  }
}
