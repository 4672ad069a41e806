package org.spireregistrar.crd.webhook;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * How {@code webhook_cert_dir} can be used (upstream §6.8 step 1). A seam: tests cannot mount a
 * read-only file system, nor take write access away from root.
 */
@FunctionalInterface
interface CertDirProbe {

  /** What the directory allows. */
  enum Access {
    /** Not there yet: it is created. */
    MISSING,
    /** A directory this process can write. */
    WRITABLE,
    /** A directory on a read-only file system: statically mounted certificates. */
    READ_ONLY_FILE_SYSTEM
  }

  /**
   * @throws IOException anything else, e.g. {@link AccessDeniedException} for a directory on a
   *     writable file system that this process may not write
   */
  Access probe(Path dir) throws IOException;

  /** The file system's answer. */
  CertDirProbe FILE_SYSTEM =
      dir -> {
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          return Access.MISSING;
        }
        if (!attributes.isDirectory()) {
          throw new FileSystemException(dir.toString(), null, "not a directory");
        }
        if (Files.getFileStore(dir).isReadOnly()) {
          return Access.READ_ONLY_FILE_SYSTEM;
        }
        if (!Files.isWritable(dir)) {
          throw new AccessDeniedException(dir.toString(), null, "permission denied");
        }
        return Access.WRITABLE;
      };
}
