package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which store failures are worth retrying (503 with Retry-After) and which are bugs (500). */
class StoreErrorsTest {

  @Test
  void aDatabaseThatCannotBeWrittenNowIsUnavailable() {
    for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_BUSY, SQLiteErrorCode.SQLITE_READONLY,
      SQLiteErrorCode.SQLITE_READONLY_DBMOVED, SQLiteErrorCode.SQLITE_READONLY_DIRECTORY, SQLiteErrorCode.SQLITE_FULL,
      SQLiteErrorCode.SQLITE_IOERR, SQLiteErrorCode.SQLITE_IOERR_WRITE, SQLiteErrorCode.SQLITE_IOERR_FSYNC,
      SQLiteErrorCode.SQLITE_CANTOPEN}) {
      assertThat(failure(new CompletionException(new SQLiteException("x", code)))).as(code.name())
        .isEqualTo(Failure.UNAVAILABLE);
    }
  }

  @Test
  void anAvatarFolderThatCannotBeWrittenIsUnavailable() {
    assertThat(failure(new AccessDeniedException("/data/avatars/x.png.tmp"))).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure(new FileSystemException("/data/avatars/x.png.tmp", null, "No space left on device")))
      .isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure(new UncheckedIOException(new FileSystemException("/data", null, "Read-only file system"))))
      .isEqualTo(Failure.UNAVAILABLE);
  }

  @Test
  void whatRetryingCannotFixIsAnInternalError() {
    assertThat(failure(new SQLiteException("x", SQLiteErrorCode.SQLITE_CONSTRAINT_NOTNULL))).isEqualTo(Failure.INTERNAL);
    assertThat(failure(new SQLiteException("x", SQLiteErrorCode.SQLITE_ERROR))).isEqualTo(Failure.INTERNAL);
    assertThat(failure(new IllegalStateException("a bug"))).isEqualTo(Failure.INTERNAL);
  }

  private static Failure failure(Throwable error) {
    return Failure.of(StoreErrors.toReply("test", error)).orElseThrow();
  }
}
