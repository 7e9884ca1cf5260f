package dev.userservice.user.rpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.userservice.api.user.v1.BulkCreateFailure;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.user.IdList;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The answer to a BulkCreateUsers stream as the service holds it: the created ids at 16 bytes
 * each, the skipped items listed and the count of all skipped. {@link #MARSHALLER} writes it to the transport in exactly the
 * encoding of {@link BulkCreateResponse}, one id at a time, so answering a stream of a million
 * users does not build a million id strings first (about 80 MiB of heap).
 */
final class BulkCreateResult {
  /** The wire encoding of {@link BulkCreateResponse}; the service only ever sends it. */
  static final MethodDescriptor.Marshaller<BulkCreateResult> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(BulkCreateResult result) {
      return new Encoded(result);
    }

    @Override
    public BulkCreateResult parse(InputStream stream) {
      throw new UnsupportedOperationException("the service sends BulkCreateResponse and never reads one");
    }
  };

  private static final int ID_LENGTH = 36;
  private static final int USER_IDS_FIELD = BulkCreateResponse.USER_IDS_FIELD_NUMBER;
  private static final int ENCODED_ID_SIZE = CodedOutputStream.computeTagSize(USER_IDS_FIELD)
      + CodedOutputStream.computeUInt32SizeNoTag(ID_LENGTH) + ID_LENGTH;

  private final IdList createdIds;
  private final List<BulkCreateFailure> failures;
  private final int failureCount;

  /**
   * @param failures the skipped items listed in the answer
   * @param failureCount how many items were skipped in all, at least as many as listed
   */
  BulkCreateResult(IdList createdIds, List<BulkCreateFailure> failures, int failureCount) {
    this.createdIds = requireNonNull(createdIds, "createdIds");
    this.failures = List.copyOf(failures);
    if (failureCount < this.failures.size()) {
      throw new IllegalArgumentException("failureCount: " + failureCount + " (expected: at least the "
          + this.failures.size() + " failures listed)");
    }
    this.failureCount = failureCount;
  }

  int serializedSize() {
    int size = createdIds.size() == 0 ? 0
        : CodedOutputStream.computeInt32Size(BulkCreateResponse.CREATED_COUNT_FIELD_NUMBER, createdIds.size());
    size += createdIds.size() * ENCODED_ID_SIZE;
    for (BulkCreateFailure failure : failures) {
      size += CodedOutputStream.computeMessageSize(BulkCreateResponse.FAILURES_FIELD_NUMBER, failure);
    }
    if (failureCount != 0) {
      size += CodedOutputStream.computeInt32Size(BulkCreateResponse.FAILURE_COUNT_FIELD_NUMBER, failureCount);
    }
    return size;
  }

  /** Writes the fields in number order, as generated code does. */
  void writeTo(CodedOutputStream out) throws IOException {
    if (createdIds.size() != 0) {
      out.writeInt32(BulkCreateResponse.CREATED_COUNT_FIELD_NUMBER, createdIds.size());
    }
    for (int i = 0; i < createdIds.size(); i++) {
      out.writeTag(USER_IDS_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(ID_LENGTH);
      out.writeRawBytes(createdIds.asciiAt(i));
    }
    for (BulkCreateFailure failure : failures) {
      out.writeMessage(BulkCreateResponse.FAILURES_FIELD_NUMBER, failure);
    }
    if (failureCount != 0) {
      out.writeInt32(BulkCreateResponse.FAILURE_COUNT_FIELD_NUMBER, failureCount);
    }
  }

  /**
   * The encoded result: drained straight into the transport's buffers, or, read as a plain
   * stream (the in-process transport does), encoded into one array first.
   */
  private static final class Encoded extends InputStream implements Drainable, KnownLength {
    private static final int BUFFER_SIZE = 8192;
    private BulkCreateResult result;
    private ByteArrayInputStream bytes;

    Encoded(BulkCreateResult result) {
      this.result = result;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (result == null) {
        return bytes == null ? 0 : (int) bytes.transferTo(target);
      }
      int size = result.serializedSize();
      CodedOutputStream out = CodedOutputStream.newInstance(target, Math.min(BUFFER_SIZE, Math.max(size, 1)));
      result.writeTo(out);
      out.flush();
      result = null;
      return size;
    }

    @Override
    public int available() {
      if (result != null) {
        return result.serializedSize();
      }
      return bytes == null ? 0 : bytes.available();
    }

    @Override
    public int read() throws IOException {
      return encoded().read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      return encoded().read(buffer, offset, length);
    }

    private ByteArrayInputStream encoded() throws IOException {
      if (result != null) {
        byte[] array = new byte[result.serializedSize()];
        CodedOutputStream out = CodedOutputStream.newInstance(array);
        result.writeTo(out);
        out.checkNoSpaceLeft();
        bytes = new ByteArrayInputStream(array);
        result = null;
      }
      return bytes == null ? new ByteArrayInputStream(new byte[0]) : bytes;
    }
  }
}
