package dev.userservice.server;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.db.QueryCancelledException;
import dev.userservice.db.TransactionConflictException;
import dev.userservice.identity.HashingBusyException;
import dev.userservice.identity.PermissionDeniedException;
import dev.userservice.login.LoginFailedException;
import dev.userservice.login.TooManyAttemptsException;
import dev.userservice.observability.BoundedText;
import dev.userservice.observability.LoggedThrowables;
import dev.userservice.user.EmailTakenException;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.RequestIdReusedException;
import dev.userservice.user.StaleEtagException;
import dev.userservice.user.UserNotFoundException;
import dev.userservice.user.ValidationException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become gRPC statuses. What a caller sees is a code and a
 * message written for it; causes, SQL and stack traces stay in the log, where an INTERNAL
 * error's id leads from the caller's message to the full report. Whatever a request held, the
 * description and details stay small enough for a default client's 8 KiB trailer limit.
 */
public final class ErrorMapper {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);
  static final String ERROR_DOMAIN = "user.v1.UserService";
  /** UTF-8 bytes of a status description at most: percent-encoded, at most 3 KiB. */
  static final int MAX_DESCRIPTION_BYTES = 1024;
  /** UTF-8 bytes of one field violation's field and description in the details at most. */
  static final int MAX_FIELD_BYTES = 64;
  static final int MAX_VIOLATION_BYTES = 200;

  private ErrorMapper() {}

  /** The status exception to send for {@code t}, its description cut to a bounded size. */
  public static StatusRuntimeException toStatusException(Throwable t) {
    StatusRuntimeException mapped = map(t);
    Status bounded = boundDescription(mapped.getStatus());
    return bounded == mapped.getStatus() ? mapped : bounded.asRuntimeException(mapped.getTrailers());
  }

  /** {@code status} with its description cut to a bounded size; the same instance when it fits. */
  static Status boundDescription(Status status) {
    String description = status.getDescription();
    if (description == null) {
      return status;
    }
    String bounded = BoundedText.truncate(description, MAX_DESCRIPTION_BYTES);
    return bounded.equals(description) ? status : status.withDescription(bounded);
  }

  private static StatusRuntimeException map(Throwable t) {
    if (t instanceof StatusRuntimeException e && e.getCause() instanceof InvalidProtocolBufferException) {
      // the request bytes are not a valid message (for instance a string that is not UTF-8)
      return Status.INVALID_ARGUMENT.withDescription("request is not a valid message").asRuntimeException();
    }
    if (t instanceof StatusRuntimeException e) {
      return e;
    }
    if (t instanceof StatusException e) {
      return new StatusRuntimeException(e.getStatus(), e.getTrailers());
    }
    if (t instanceof ValidationException e) {
      return invalidArgument(e);
    }
    if (t instanceof UserNotFoundException) {
      return Status.NOT_FOUND.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof EmailTakenException) {
      return Status.ALREADY_EXISTS.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof StaleEtagException e) {
      return staleEtag(e);
    }
    if (t instanceof RequestIdReusedException e) {
      return requestIdReused(e);
    }
    if (t instanceof LoginFailedException) {
      return Status.UNAUTHENTICATED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof PermissionDeniedException) {
      return Status.PERMISSION_DENIED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof TooManyAttemptsException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof HashingBusyException) {
      // retryable: the client library retries UNAVAILABLE with backoff
      return Status.UNAVAILABLE.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof DatabaseUnavailableException) {
      log.warn("database unavailable: {}", LoggedThrowables.rootSummary(t));
      return Status.UNAVAILABLE.withDescription("database unavailable, try again later").asRuntimeException();
    }
    if (t instanceof QueryCancelledException) {
      return callEnded();
    }
    if (t instanceof TransactionConflictException) {
      // the caller may try again; the message is the service's own, with no value in it
      return Status.ABORTED.withDescription(t.getMessage()).asRuntimeException();
    }
    String errorId = UUID.randomUUID().toString();
    log.error("internal error {}", errorId, LoggedThrowables.redacted(t));
    return Status.INTERNAL.withDescription("internal error (error id: " + errorId + ")").asRuntimeException();
  }

  private static StatusRuntimeException invalidArgument(ValidationException e) {
    BadRequest.Builder badRequest = BadRequest.newBuilder();
    // ValidationException lists a bounded number of violations
    for (FieldViolation v : e.violations()) {
      badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField(BoundedText.truncate(v.field(), MAX_FIELD_BYTES))
          .setDescription(BoundedText.truncate(v.description(), MAX_VIOLATION_BYTES)));
    }
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT_VALUE)
        .setMessage(BoundedText.truncate(e.getMessage(), MAX_DESCRIPTION_BYTES))
        .addDetails(Any.pack(badRequest.build()))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static StatusRuntimeException staleEtag(StaleEtagException e) {
    ErrorInfo info = ErrorInfo.newBuilder()
        .setReason("ETAG_MISMATCH")
        .setDomain(ERROR_DOMAIN)
        .putMetadata("current_etag", e.currentEtag())
        .build();
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Code.ABORTED_VALUE)
        .setMessage(e.getMessage())
        .addDetails(Any.pack(info))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /**
   * ALREADY_EXISTS, as the request id is taken; AIP-155 names no code for a reused id, and the
   * reason tells it from a taken email. Nothing of the earlier create is in it.
   */
  private static StatusRuntimeException requestIdReused(RequestIdReusedException e) {
    ErrorInfo info = ErrorInfo.newBuilder()
        .setReason("REQUEST_ID_REUSED")
        .setDomain(ERROR_DOMAIN)
        .build();
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Code.ALREADY_EXISTS_VALUE)
        .setMessage(e.getMessage())
        .addDetails(Any.pack(info))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static StatusRuntimeException callEnded() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null && deadline.isExpired()) {
      return Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded").asRuntimeException();
    }
    return Status.CANCELLED.withDescription("call cancelled").asRuntimeException();
  }
}
