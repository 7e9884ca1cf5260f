package dev.userservice.identity;

import dev.userservice.testing.InProcessService;
import org.junit.jupiter.api.extension.RegisterExtension;

class AccountStateH2Test extends AccountStateContract {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  @Override
  InProcessService service() {
    return service;
  }
}
