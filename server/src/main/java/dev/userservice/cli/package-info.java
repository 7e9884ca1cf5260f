/**
 * The command line, on picocli: {@code user-service [settings]} serves, {@code user-service bench}
 * runs the load generator. The server's options are made from the settings list of
 * {@code config}; this package sits on top and may use every other one, and none uses it.
 */
package dev.userservice.cli;
