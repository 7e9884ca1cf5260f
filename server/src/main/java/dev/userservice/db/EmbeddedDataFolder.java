package dev.userservice.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The folder of the embedded database, which holds every user's email and password hash: made
 * readable by the service's operating-system user alone when the service creates it. A folder
 * that exists is left as its owner set it.
 */
public final class EmbeddedDataFolder {
  private EmbeddedDataFolder() {}

  /**
   * Creates {@code dataDir} (and missing parents) with mode 0700 where the file system has POSIX
   * permissions, unless it exists.
   *
   * @throws UncheckedIOException when it cannot be created
   */
  public static void createPrivately(Path dataDir) {
    Path folder = dataDir.toAbsolutePath().normalize();
    if (Files.isDirectory(folder)) {
      return;
    }
    try {
      Path parent = folder.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (folder.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectory(folder,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(folder);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data folder " + folder, e);
    }
  }
}
