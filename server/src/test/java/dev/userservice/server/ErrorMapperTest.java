package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.SqlErrors;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.ValidationException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorMapperTest {
  private static int utf8Bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void toStatusException_longDescription_cutToTheBoundKeepingCode() {
    StatusRuntimeException mapped = ErrorMapper.toStatusException(
        Status.RESOURCE_EXHAUSTED.withDescription("\u00e9".repeat(5000)).asRuntimeException());

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(utf8Bytes(mapped.getStatus().getDescription())).isLessThanOrEqualTo(ErrorMapper.MAX_DESCRIPTION_BYTES);
    assertThat(mapped.getStatus().getDescription()).startsWith("\u00e9\u00e9").endsWith("...");
  }

  @ParameterizedTest
  @ValueSource(strings = {"25006", "57P01", "57P02", "57P03", "08006", "08001"})
  void toStatusException_serverGoneOrNotThePrimary_unavailableWithNothingOfTheDatabase(String state) {
    SQLException cause = new SQLException("cannot execute INSERT in a read-only transaction on db-a:5432", state);

    Status status = ErrorMapper.toStatusException(SqlErrors.translate("create user", cause)).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("database unavailable, try again later");
  }

  @Test
  void toStatusException_shortDescription_unchanged() {
    StatusRuntimeException original = Status.NOT_FOUND.withDescription("user x not found").asRuntimeException();

    assertThat(ErrorMapper.toStatusException(original)).isSameAs(original);
  }

  @Test
  void toStatusException_manyLongViolations_descriptionAndDetailsBounded() {
    List<FieldViolation> violations = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      violations.add(new FieldViolation("f".repeat(500), "d".repeat(5000)));
    }

    StatusRuntimeException mapped = ErrorMapper.toStatusException(new ValidationException(violations));

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(utf8Bytes(mapped.getStatus().getDescription())).isLessThanOrEqualTo(ErrorMapper.MAX_DESCRIPTION_BYTES);
    com.google.rpc.Status details = io.grpc.protobuf.StatusProto.fromThrowable(mapped);
    assertThat(details.getSerializedSize()).isLessThan(4096);
  }
}
