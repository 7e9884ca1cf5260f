package dev.userservice.identity;

import dev.userservice.testing.InProcessService;
import org.junit.jupiter.api.extension.RegisterExtension;

class AccountStatePostgresTest extends AccountStateContract {
  @RegisterExtension
  final InProcessService service = InProcessService.onPostgres();

  @Override
  InProcessService service() {
    return service;
  }
}
