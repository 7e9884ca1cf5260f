/**
 * The load generator: runs a mix of calls against a running service through the client library
 * and reports latency and throughput. It may use client, identity (to sign its tokens) and
 * config; nothing on the server side depends on it.
 */
package dev.userservice.bench;
