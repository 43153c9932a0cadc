package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenRegistryTest {
  static final String A = "team-a-token-0123456789";
  static final String B = "team-b-token-0123456789";
  static final String OPS = "ops-token-0123456789abc";

  static TokenRegistry registry() {
    return TokenRegistry.parse(
        "# teams\nteam-a=" + A + "\n\nteam-b = " + B + "\nops:duty=" + OPS + "\n", "tokens");
  }

  @Test
  void authenticate_findsTeamsAndOps() {
    TokenRegistry tokens = registry();
    assertEquals(Optional.of(Principal.team("team-a")), tokens.authenticate(A));
    assertEquals(Optional.of(Principal.team("team-b")), tokens.authenticate(B));
    assertEquals(Optional.of(Principal.ops("duty")), tokens.authenticate(OPS));
    assertEquals(Set.of("team-a", "team-b"), tokens.teams());
  }

  @Test
  void authenticate_unknownOrPartialToken_isEmpty() {
    TokenRegistry tokens = registry();
    assertTrue(tokens.authenticate("nope-nope-nope-nope").isEmpty());
    assertTrue(tokens.authenticate(A.substring(0, A.length() - 1)).isEmpty());
    assertTrue(tokens.authenticate(A + "x").isEmpty());
    assertTrue(tokens.authenticate("").isEmpty());
    assertTrue(tokens.authenticate(null).isEmpty());
  }

  @Test
  void commaSeparatedEntries_asInAnEnvironmentVariable() {
    TokenRegistry tokens = TokenRegistry.parse("team-a=" + A + ",ops:duty=" + OPS, "$ENV");
    assertEquals(2, tokens.size());
  }

  @Test
  void aCommentLine_mayHoldCommas() {
    TokenRegistry tokens =
        TokenRegistry.parse(
            "# squads, market supervision, police\nteam-a=" + A + "\n  # a, b\n", "tokens");
    assertEquals(1, tokens.size());
  }

  @Test
  void errors_nameSourceAndLine_butNeverTheToken() {
    IllegalArgumentException shortToken =
        assertThrows(
            IllegalArgumentException.class,
            () -> TokenRegistry.parse("team-a=" + A + "\nteam-b=short", "tokens.txt"));
    assertTrue(shortToken.getMessage().startsWith("tokens.txt line 2"), shortToken.getMessage());
    assertFalse(shortToken.getMessage().contains("short\b"));

    IllegalArgumentException reused =
        assertThrows(
            IllegalArgumentException.class,
            () -> TokenRegistry.parse("team-a=" + A + "\nteam-b=" + A, "tokens.txt"));
    assertTrue(reused.getMessage().contains("line 2"));
    assertFalse(reused.getMessage().contains(A));

    assertThrows(
        IllegalArgumentException.class, () -> TokenRegistry.parse("team a=" + A, "tokens.txt"));
    assertThrows(IllegalArgumentException.class, () -> TokenRegistry.parse("team-a", "t"));
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenRegistry.parse("team-a=" + A + "\nteam-a=" + B, "t"));
  }

  @Test
  void toString_doesNotLeakTokens() {
    assertFalse(registry().toString().contains(A));
    assertFalse(Principal.team("team-a").toString().contains(A));
  }

  @Test
  void aLineWrittenTheWrongWayRound_isRefusedWithoutQuotingIt() {
    // token=teamId: the "id" is the token, the "token" too short to be one.
    IllegalArgumentException swapped =
        assertThrows(
            IllegalArgumentException.class, () -> TokenRegistry.parse(A + "=team-b", "tokens.txt"));
    assertEquals(
        "tokens.txt line 1: the token (after '=') is shorter than 16 characters",
        swapped.getMessage());
    // A bare token with a stray '=' in it: the part before '=' is no valid id.
    String bare = "Zm9v+YmFy/" + A;
    IllegalArgumentException noId =
        assertThrows(
            IllegalArgumentException.class,
            () -> TokenRegistry.parse(bare + "=" + B, "tokens.txt"));
    assertFalse(noId.getMessage().contains(bare), noId.getMessage());
    assertTrue(noId.getMessage().startsWith("tokens.txt line 1: the id"), noId.getMessage());
  }
}
