package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import org.junit.jupiter.api.Test;

class RequestIdTest {

  @Test
  void isUsable_visibleAsciiUpToLimit_accepted() {
    assertThat(RequestId.isUsable("a")).isTrue();
    assertThat(RequestId.isUsable("0b6f7c9e-trace/42:x")).isTrue();
    assertThat(RequestId.isUsable("x".repeat(RequestId.MAX_LENGTH))).isTrue();
  }

  @Test
  void isUsable_emptyTooLongOrControlOrNonAscii_refused() {
    assertThat(RequestId.isUsable(null)).isFalse();
    assertThat(RequestId.isUsable("")).isFalse();
    assertThat(RequestId.isUsable("x".repeat(RequestId.MAX_LENGTH + 1))).isFalse();
    assertThat(RequestId.isUsable("a b")).isFalse();
    assertThat(RequestId.isUsable("line\nbreak")).isFalse();
    assertThat(RequestId.isUsable("caf\u00e9")).isFalse();
  }

  @Test
  void isUsable_quotesBackslashOrOtherPunctuation_refused() {
    assertThat(RequestId.isUsable("a\"b")).isFalse();
    assertThat(RequestId.isUsable("a\\b")).isFalse();
    assertThat(RequestId.isUsable("a'b")).isFalse();
    assertThat(RequestId.isUsable("a=b")).isFalse();
    assertThat(RequestId.isUsable("{x}")).isFalse();
  }

  @Test
  void from_headerWithQuote_replacedByGeneratedId() {
    Metadata headers = new Metadata();
    headers.put(RequestId.HEADER, "abc\" status=\"OK");

    String id = RequestId.from(headers);

    assertThat(id).isNotEqualTo("abc\" status=\"OK").doesNotContain("\"");
    assertThat(RequestId.isUsable(id)).isTrue();
  }

  @Test
  void from_missingHeader_generatesDistinctIds() {
    String first = RequestId.from(new Metadata());
    String second = RequestId.from(new Metadata());

    assertThat(first).isNotEqualTo(second);
    assertThat(RequestId.isUsable(first)).isTrue();
  }
}
