package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserValidationTest {
  @Test
  void email_withNonAsciiLetters_acceptedOrRefusedByTheSameRule() {
    assertThat(check("ünïcödé@exämple.com")).isEmpty();
    assertThat(check("名前@例え.jp")).isEmpty();
    assertThat(check("ünïcödé@exämple")).hasSize(1);
    assertThat(check("ü..x@exämple.com")).hasSize(1);
  }

  @Test
  void email_asciiAddresses_acceptedOrRefused() {
    assertThat(check("Jane.Doe+tag@Example.co.uk")).isEmpty();
    assertThat(check("jane@example")).hasSize(1);
    assertThat(check("jane@-example.com")).hasSize(1);
    assertThat(check("jane doe@example.com")).hasSize(1);
    assertThat(check(".jane@example.com")).hasSize(1);
  }

  @Test
  void hasControlCharacter_matchesTheCodePointCategoryForEveryCharacter() {
    for (int c = 0; c <= Character.MAX_VALUE; c++) {
      String value = "a" + (char) c + "b";
      boolean byCodePoint = value.codePoints().anyMatch(p -> Character.getType(p) == Character.CONTROL);
      assertThat(UserValidation.hasControlCharacter(value)).as("U+%04X", c).isEqualTo(byCodePoint);
    }
    assertThat(UserValidation.hasControlCharacter("a\u0085b")).isTrue();
    assertThat(UserValidation.hasControlCharacter("smile \uD83D\uDE00 and \uDB40\uDC01")).isFalse();
  }

  private static List<FieldViolation> check(String email) {
    List<FieldViolation> violations = new ArrayList<>();
    UserValidation.email("email", email, violations);
    return violations;
  }
}
