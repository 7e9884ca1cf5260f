package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDataFolderTest {
  @TempDir
  Path root;

  @Test
  void createPrivately_missingFolder_createdForItsOwnerAlone() throws Exception {
    Path dataDir = root.resolve("var").resolve("data");

    EmbeddedDataFolder.createPrivately(dataDir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
  }

  @Test
  void createPrivately_existingFolder_leftAsItsOwnerSetIt() throws Exception {
    Path dataDir = Files.createDirectory(root.resolve("data"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));

    EmbeddedDataFolder.createPrivately(dataDir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwxr-x---");
  }
}
