package dev.userservice.bench;

import io.grpc.Status;

/** One unit of load: a unary call, or a whole stream. Starts asynchronously and reports once. */
@FunctionalInterface
interface BenchOperation {

  void start(Outcome outcome);

  /**
   * What an operation did: messages as it moves them (so a long stream counts inside the
   * measured time), then how it ended.
   */
  interface Outcome {
    void moved(int messages);

    void succeeded();

    void failed(Status status);
  }
}
