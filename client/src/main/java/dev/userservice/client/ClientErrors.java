package dev.userservice.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/** Turns the status a call failed with into the client's exception for it. */
final class ClientErrors {
  private ClientErrors() {}

  static UserServiceException translate(Throwable t) {
    if (t instanceof UserServiceException e) {
      return e;
    }
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    switch (status.getCode()) {
      case NOT_FOUND:
        return new NotFoundException(status, trailers, t);
      case ALREADY_EXISTS:
        return new AlreadyExistsException(status, trailers, t);
      case INVALID_ARGUMENT:
        return new InvalidArgumentException(status, trailers, violations(t), t);
      case UNAUTHENTICATED:
        return new UnauthenticatedException(status, trailers, t);
      case PERMISSION_DENIED:
        return new PermissionDeniedException(status, trailers, t);
      default:
        return new UserServiceException(status, trailers, t);
    }
  }

  private static List<BadRequest.FieldViolation> violations(Throwable t) {
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    if (details == null) {
      return List.of();
    }
    List<BadRequest.FieldViolation> violations = new ArrayList<>();
    for (Any detail : details.getDetailsList()) {
      if (!detail.is(BadRequest.class)) {
        continue;
      }
      try {
        violations.addAll(detail.unpack(BadRequest.class).getFieldViolationsList());
      } catch (InvalidProtocolBufferException e) {
        // a malformed detail leaves the status itself intact; report the violations that parse
      }
    }
    return violations;
  }
}
