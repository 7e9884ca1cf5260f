package dev.userservice.user.rpc;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;

/**
 * Binds BulkCreateUsers with {@link BulkCreateResult#MARSHALLER} as its response encoding in
 * place of the generated one. The method keeps its name, its request encoding and its schema
 * (reflection lists it unchanged); only how the service writes the answer differs.
 */
final class BulkCreateBinding {
  private BulkCreateBinding() {}

  static ServerServiceDefinition bind(ServerServiceDefinition generated,
      Function<StreamObserver<BulkCreateResult>, StreamObserver<CreateUserRequest>> handler) {
    MethodDescriptor<CreateUserRequest, BulkCreateResponse> original = UserServiceGrpc.getBulkCreateUsersMethod();
    MethodDescriptor<CreateUserRequest, BulkCreateResult> encoded =
        original.toBuilder(original.getRequestMarshaller(), BulkCreateResult.MARSHALLER).build();
    ServiceDescriptor service = generated.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service.getName())
        .setSchemaDescriptor(service.getSchemaDescriptor())
        .addMethod(encoded);
    for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
      if (!isBulkCreate(method)) {
        descriptor.addMethod(method.getMethodDescriptor());
      }
    }
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build())
        .addMethod(encoded, ServerCalls.asyncClientStreamingCall(handler::apply));
    for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
      if (!isBulkCreate(method)) {
        definition.addMethod(method);
      }
    }
    return definition.build();
  }

  private static boolean isBulkCreate(ServerMethodDefinition<?, ?> method) {
    return method.getMethodDescriptor().getFullMethodName()
        .equals(UserServiceGrpc.getBulkCreateUsersMethod().getFullMethodName());
  }
}
