package dev.userservice.bench;

import io.grpc.Status;

/** One unit of load: a unary call, or a whole stream. Starts asynchronously and reports once. */
@FunctionalInterface
interface BenchOperation {

  void start(Outcome outcome);

  /** How an operation ended: the messages it moved, or the status it failed with. */
  interface Outcome {
    void succeeded(int messages);

    void failed(Status status);
  }
}
