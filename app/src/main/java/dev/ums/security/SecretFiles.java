package dev.ums.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generated development secrets (keyset, index key, key pepper) on disk: created readable and
 * writable by the owner only (0600) where the file system has POSIX permissions, and an existing
 * one that is readable by others is narrowed to 0600 when it is loaded.
 */
final class SecretFiles {

  private static final Logger log = LoggerFactory.getLogger(SecretFiles.class);
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private SecretFiles() {}

  /**
   * Writes a new secret file with {@code content} and returns it; if another process created the
   * file first, returns what that one wrote instead. The file appears complete or not at all: it is
   * written under a temporary name and linked into place, which fails if the name is taken.
   */
  static String createOrRead(Path path, String content) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp =
        posix(path)
            ? Files.createTempFile(
                dir, ".secret", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createTempFile(dir, ".secret", ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.createLink(path, tmp);
        return content;
      } catch (FileAlreadyExistsException e) {
        return read(path);
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, path);
        return content;
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads a secret file, first narrowing its permissions to 0600 if others may read it. */
  static String read(Path path) throws IOException {
    if (posix(path)) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
      if (!OWNER_ONLY.containsAll(perms)) {
        try {
          Files.setPosixFilePermissions(path, OWNER_ONLY);
          log.warn("event=secret_file_permissions_narrowed path={} to=0600", path);
        } catch (IOException | UnsupportedOperationException e) {
          log.warn("event=secret_file_readable_by_others path={}", path);
        }
      }
    }
    return Files.readString(path, StandardCharsets.UTF_8);
  }

  private static boolean posix(Path path) {
    Path dir = path.toAbsolutePath().getParent();
    return Files.getFileAttributeView(
            dir != null ? dir : path.toAbsolutePath(), PosixFileAttributeView.class)
        != null;
  }
}
