/**
 * What operators see: the call log (text or ECS JSON), metrics and their endpoint, traces,
 * request ids, and escaping of everything a caller may put into a log line. It depends on no
 * other project package, so every package may use it.
 */
package dev.userservice.observability;
