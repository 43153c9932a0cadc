package io.streetsense.views;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bearer tokens of the enforcement teams and the operations centre.
 *
 * <p>Format (a file, or the same text in an environment variable), one entry a line, {@code #}
 * starts a comment:
 *
 * <pre>
 * # teamId=token
 * js-urban-squad=7f3c0e0b6d2a4c8e9b1f5a3d7c2e8b4a
 * # operations centre users: ops:user=token
 * ops:duty-officer=1c9e2f7a5b3d4e6f8a0b2c4d6e8f0a1b
 * </pre>
 *
 * <p>Tokens are never logged or echoed in errors (errors name the file and line, and an id only
 * once it was checked and its token accepted), are held only as SHA-256 digests, and are compared
 * in constant time against every entry (no early exit), so neither the comparison nor the lookup
 * leaks how much of a guess was right.
 */
public final class TokenRegistry {
  /** Shorter tokens are guessable: refused at load. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String OPS_PREFIX = "ops:";

  private record Entry(Principal principal, byte[] digest) {}

  private final List<Entry> entries;

  private TokenRegistry(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static TokenRegistry load(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokens file " + file, e);
    }
  }

  /**
   * Parses entries from text; lines may also be separated by commas (handy in an environment
   * variable).
   *
   * @param source named in errors: a file name or an environment variable
   */
  public static TokenRegistry parse(String text, String source) {
    List<Entry> entries = new ArrayList<>();
    Set<Principal> seen = new HashSet<>();
    Set<String> tokens = new HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    for (int n = 0; n < lines.length; n++) {
      if (lines[n].strip().startsWith("#")) {
        continue; // a comment line, commas and all
      }
      for (String part : lines[n].split(",")) {
        String line = part.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String where = source + " line " + (n + 1);
        int eq = line.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException(where + ": expected teamId=token or ops:user=token");
        }
        String name = line.substring(0, eq).strip();
        String token = line.substring(eq + 1).strip();
        Principal principal;
        if (name.startsWith(OPS_PREFIX)) {
          principal = Principal.ops(checkId(name.substring(OPS_PREFIX.length()), where));
        } else {
          principal = Principal.team(checkId(name, where));
        }
        if (token.length() < MIN_TOKEN_LENGTH) {
          // The name is not quoted: on a line written the wrong way round (token=teamId) it is the
          // token.
          throw new IllegalArgumentException(
              where
                  + ": the token (after '=') is shorter than "
                  + MIN_TOKEN_LENGTH
                  + " characters");
        }
        if (!seen.add(principal)) {
          throw new IllegalArgumentException(where + ": '" + name + "' is listed twice");
        }
        if (!tokens.add(token)) {
          throw new IllegalArgumentException(
              where + ": token of '" + name + "' is already used by another entry");
        }
        entries.add(new Entry(principal, sha256(token)));
      }
    }
    return new TokenRegistry(entries);
  }

  private static String checkId(String id, String where) {
    if (!ID.matcher(id).matches()) {
      // The id is not quoted: a line without the id (just a token and '=') would print the token.
      throw new IllegalArgumentException(
          where
              + ": the id (before '=') must match "
              + ID.pattern()
              + " (letters, digits, . _ -; at most 64)");
    }
    return id;
  }

  /** The principal holding {@code token}, if any. Constant time in the token's content. */
  public Optional<Principal> authenticate(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] presented = sha256(token);
    Principal found = null;
    for (Entry entry : entries) {
      // Compare digests (fixed length) against every entry without stopping at a match.
      if (MessageDigest.isEqual(entry.digest, presented) && found == null) {
        found = entry.principal;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The teams that have a token (not the operations centre). */
  public Set<String> teams() {
    Set<String> teams = new HashSet<>();
    for (Entry entry : entries) {
      if (entry.principal.kind() == Principal.Kind.TEAM) {
        teams.add(entry.principal.id());
      }
    }
    return teams;
  }

  public int size() {
    return entries.size();
  }

  @Override
  public String toString() {
    return "TokenRegistry[" + entries.size() + " entries]";
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
