/**
 * The application: builds the gRPC server from the configuration, registers the services and
 * interceptors, owns every executor and closes it on shutdown, shuts down in stages, and is the
 * edge where exceptions become statuses ({@link dev.userservice.server.ErrorMapper}). It may
 * depend on every server-side package; only the start-up (Main and the command line) depends on
 * it.
 */
package dev.userservice.server;
