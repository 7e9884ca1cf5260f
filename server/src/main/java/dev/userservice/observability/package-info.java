/**
 * What operators see: the call log, metrics and their endpoint, request ids, and escaping of
 * everything a caller may put into a log line. It depends on no other project package, so every
 * package may use it.
 */
package dev.userservice.observability;
