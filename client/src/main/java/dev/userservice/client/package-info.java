/**
 * The Java client of user-service: {@link dev.userservice.client.UserServiceClient}, with
 * deadlines on every call, retries from the service config JSON beside these classes,
 * idempotent creates, resumable listing and typed exceptions.
 */
package dev.userservice.client;
