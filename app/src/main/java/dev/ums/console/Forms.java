package dev.ums.console;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/** Parsing of form fields; a bad value adds a message to {@code errors} and yields null. */
final class Forms {

  private Forms() {}

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** An ISO instant ({@code 2026-11-25T14:00:00Z}) or a form's local date-time, taken as UTC. */
  static Instant instant(String field, String value, List<String> errors) {
    String v = blankToNull(value);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        errors.add(field + ": not a date and time (e.g. 2026-11-25T14:00, UTC)");
        return null;
      }
    }
  }

  static UUID uuid(String field, String value, List<String> errors) {
    String v = blankToNull(value);
    if (v == null) {
      return null;
    }
    try {
      return UUID.fromString(v);
    } catch (IllegalArgumentException e) {
      errors.add(field + ": not a message id");
      return null;
    }
  }

  static <E extends Enum<E>> E oneOf(
      Class<E> type, String field, String value, List<String> errors) {
    String v = blankToNull(value);
    if (v == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    errors.add(field + ": one of " + java.util.Arrays.toString(type.getEnumConstants()));
    return null;
  }
}
