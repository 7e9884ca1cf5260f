/**
 * The command line, on picocli: {@code user-service [settings]} serves, {@code user-service bench}
 * runs the load generator, {@code user-service admin} changes roles beside the service. The
 * server's options are made from the settings list of {@code config} (the admin commands take its
 * database settings); this package sits on top and may use every other one, and none uses it.
 */
package dev.userservice.cli;
