package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UserIdsTest {

  @Test
  void next_version7VariantRfcAndCurrentTime() {
    long before = System.currentTimeMillis();
    UUID id = UserIds.next();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis() + 1);
  }

  @Test
  void next_manyInOneMillisecond_strictlyIncreasingAsText() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ids.add(UserIds.next().toString());
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void parse_acceptsOnlyCanonicalUuids() {
    assertThat(UserIds.parse("0190a5d0-1234-7abc-8def-0123456789ab")).isPresent();
    assertThat(UserIds.parse("1-2-3-4-5")).isEmpty();
    assertThat(UserIds.parse("")).isEmpty();
    assertThat(UserIds.parse("0190a5d0-1234-7abc-8def-0123456789zz")).isEmpty();
  }
}
