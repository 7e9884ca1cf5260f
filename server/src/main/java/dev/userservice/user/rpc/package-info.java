/**
 * The gRPC handlers of UserService: {@link dev.userservice.user.rpc.UserServiceImpl} for the
 * unary calls and one class per streaming call (ListUsers, BulkCreateUsers, UserUpdates), with
 * the checks that turn requests into the model. Failures are passed on to the server's edge.
 * It depends on user, user.batching, user.changes, identity and db.
 */
package dev.userservice.user.rpc;
