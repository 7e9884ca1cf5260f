package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlErrorsTest {
  @ParameterizedTest
  @ValueSource(strings = {"25006", "57P01", "57P02", "57P03", "08006", "08001", "08003", "53300"})
  void translate_connectionAndReadOnlyStates_unavailable(String state) {
    RuntimeException translated = SqlErrors.translate("create user", new SQLException("x", state));

    assertThat(translated).isInstanceOf(DatabaseUnavailableException.class);
  }

  @Test
  void translate_readOnlyReportedAsTheNextExceptionOfABatch_unavailable() {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 <unknown> was aborted", null, 0,
        new int[0], null);
    batch.setNextException(new SQLException("cannot execute INSERT in a read-only transaction", "25006"));

    assertThat(SqlErrors.translate("bulk create", batch)).isInstanceOf(DatabaseUnavailableException.class);
  }

  @Test
  void translate_otherStates_notUnavailable() {
    assertThat(SqlErrors.translate("create user", new SQLException("x", "22001")))
        .isNotInstanceOf(DatabaseUnavailableException.class);
    assertThat(SqlErrors.translate("create user", new SQLException("x", "25P02")))
        .isNotInstanceOf(DatabaseUnavailableException.class);
  }

  @Test
  void readOnlyServerEviction_evictsOnReadOnlyOnly() {
    ReadOnlyServerEviction eviction = new ReadOnlyServerEviction();

    assertThat(eviction.adjudicate(new SQLException("read-only", "25006"))).isEqualTo(SQLExceptionOverride.Override.MUST_EVICT);
    assertThat(eviction.adjudicate(new SQLException("duplicate", "23505"))).isEqualTo(SQLExceptionOverride.Override.CONTINUE_EVICT);
  }

  @Test
  void connectFailures_nameWhatToFixBySqlState() {
    assertThat(ConnectFailures.reason(new RuntimeException(new SQLException("FATAL", "53300"))))
        .contains("max_connections").contains("53300");
    assertThat(ConnectFailures.reason(new RuntimeException(new SQLException("FATAL", "28P01"))))
        .contains("password");
  }
}
