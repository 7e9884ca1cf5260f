package dev.userservice.user.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.BulkCreateFailure;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.user.IdList;
import io.grpc.Drainable;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BulkCreateResultTest {
  private static final BulkCreateFailure TAKEN = BulkCreateFailure.newBuilder().setIndex(1).setCode(6)
      .setMessage("email: taken, ünïcödé").build();

  private static IdList ids(List<UUID> uuids) {
    IdList ids = new IdList();
    uuids.forEach(ids::add);
    return ids;
  }

  private static BulkCreateResponse expected(List<UUID> uuids, List<BulkCreateFailure> failures) {
    BulkCreateResponse.Builder message = BulkCreateResponse.newBuilder().setCreatedCount(uuids.size())
        .addAllFailures(failures).setFailureCount(failures.size());
    uuids.forEach(id -> message.addUserIds(id.toString()));
    return message.build();
  }

  private static List<UUID> randomIds(int count) {
    List<UUID> uuids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      uuids.add(UUID.randomUUID());
    }
    // the extremes of each hex group
    uuids.add(new UUID(0, 0));
    uuids.add(new UUID(-1, -1));
    uuids.add(UUID.fromString("0000000f-00f0-0f00-f000-00000000000f"));
    return uuids;
  }

  @Test
  void drained_bytesEqualTheGeneratedEncoding() throws Exception {
    List<UUID> uuids = randomIds(1000);
    BulkCreateResult result = new BulkCreateResult(ids(uuids), List.of(TAKEN), 1);

    InputStream stream = BulkCreateResult.MARSHALLER.stream(result);
    assertThat(stream.available()).isEqualTo(expected(uuids, List.of(TAKEN)).getSerializedSize());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int written = ((Drainable) stream).drainTo(out);

    assertThat(out.toByteArray()).isEqualTo(expected(uuids, List.of(TAKEN)).toByteArray());
    assertThat(written).isEqualTo(out.size());
    assertThat(BulkCreateResponse.parseFrom(out.toByteArray()).getUserIdsList())
        .containsExactlyElementsOf(uuids.stream().map(UUID::toString).toList());
  }

  @Test
  void read_bytesEqualTheGeneratedEncoding() throws Exception {
    List<UUID> uuids = randomIds(10);
    InputStream stream = BulkCreateResult.MARSHALLER.stream(new BulkCreateResult(ids(uuids), List.of(), 0));

    assertThat(stream.readAllBytes()).isEqualTo(expected(uuids, List.of()).toByteArray());
    assertThat(stream.available()).isZero();
  }

  @Test
  void nothingCreated_encodesLikeAnEmptyMessage() throws Exception {
    BulkCreateResult empty = new BulkCreateResult(new IdList(), List.of(), 0);
    assertThat(BulkCreateResult.MARSHALLER.stream(empty).readAllBytes()).isEmpty();

    BulkCreateResult onlyFailures = new BulkCreateResult(new IdList(), List.of(TAKEN), 1);
    assertThat(BulkCreateResult.MARSHALLER.stream(onlyFailures).readAllBytes())
        .isEqualTo(expected(List.of(), List.of(TAKEN)).toByteArray());
  }

  @Test
  void moreFailuresThanListed_countEncodedLikeTheGeneratedMessage() throws Exception {
    List<UUID> uuids = randomIds(3);
    BulkCreateResult result = new BulkCreateResult(ids(uuids), List.of(TAKEN), 200_000);

    byte[] bytes = BulkCreateResult.MARSHALLER.stream(result).readAllBytes();

    assertThat(bytes).isEqualTo(expected(uuids, List.of(TAKEN)).toBuilder().setFailureCount(200_000).build()
        .toByteArray());
    assertThat(BulkCreateResponse.parseFrom(bytes).getFailureCount()).isEqualTo(200_000);
  }
}
