package dev.userservice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's settings table is {@link Config#SETTINGS}, row for row. */
class SettingsTableTest {
  private static final String HEADER = "| flag | environment | default | values | meaning |";

  /** The table's rows as the settings make them: flags in backticks, an unset default and a setting without a range empty. */
  static List<List<String>> expectedRows() {
    return Config.SETTINGS.stream().map(s -> List.of("`--" + s.flag() + "`", "`" + s.env() + "`",
        s.defaultValue() == null ? "" : s.defaultValue(), s.range().map(Setting.Range::toString).orElse(""),
        s.description().replaceAll("(--[a-z-]+)", "`$1`")))
        .toList();
  }

  @Test
  void readme_settingsTable_isTheSettings() throws IOException {
    List<String> readme = Files.readAllLines(readme());
    int header = readme.indexOf(HEADER);
    assertThat(header).as("README.md has a table headed %s", HEADER).isNotNegative();
    List<List<String>> rows = new ArrayList<>();
    for (String line : readme.subList(header + 2, readme.size())) {
      if (!line.startsWith("|")) {
        break;
      }
      rows.add(Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::trim).toList());
    }

    assertThat(rows).as("the README's settings table; from the settings it reads:%n%s", table()).isEqualTo(expectedRows());
  }

  private static String table() {
    return expectedRows().stream().map(row -> "| " + String.join(" | ", row) + " |")
        .collect(Collectors.joining("\n"));
  }

  /** The README at the project's top level, which the build passes as {@code project.root}. */
  private static Path readme() {
    return Path.of(System.getProperty("project.root", "."), "README.md");
  }
}
