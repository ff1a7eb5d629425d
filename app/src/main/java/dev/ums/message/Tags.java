package dev.ums.message;

import dev.ums.web.FieldProblem;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Message tags: {@code name: value} pairs a client attaches to a message, stored in the clear as
 * {@code name:value} strings in {@code message.tags}, shown in message views and used as filters
 * ({@code ?tag=kind:receipt}). Names are {@code [a-z0-9_-]{1,32}}, values 1..64 printable ASCII
 * characters: they are labels, never personal data, and never metric labels.
 */
public final class Tags {

  private Tags() {}

  /**
   * {@code tag} query parameters ({@code name:value}) as stored strings, each a condition that a
   * message must meet; problems are added to {@code errors} against {@code tag}. Null when there
   * are none.
   */
  public static List<String> filter(List<String> raw, List<FieldProblem> errors) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    List<String> out = new ArrayList<>(raw.size());
    for (String t : raw) {
      int colon = t == null ? -1 : t.indexOf(':');
      if (colon < 0
          || !MessageValidator.TAG_NAME.matcher(t.substring(0, colon)).matches()
          || colon == t.length() - 1
          || t.length() - colon - 1 > MessageValidator.MAX_TAG_VALUE_CHARS
          || !MessageValidator.isPrintableAscii(t)) {
        errors.add(
            FieldProblem.of(
                "tag",
                "name:value, with a name of 1..32 of a-z, 0-9, _ and - and a value of 1.."
                    + MessageValidator.MAX_TAG_VALUE_CHARS
                    + " printable ASCII characters"));
        return null;
      }
      out.add(t);
    }
    return out;
  }

  /** The tags of {@code column} of the current row, as a map in name order (empty if none). */
  public static Map<String, String> read(ResultSet rs, String column) throws SQLException {
    Array array = rs.getArray(column);
    if (array == null) {
      return Collections.emptyMap();
    }
    Object[] values = (Object[]) array.getArray();
    Map<String, String> tags = new LinkedHashMap<>();
    for (Object v : values) {
      String s = String.valueOf(v);
      int colon = s.indexOf(':');
      tags.put(s.substring(0, colon), s.substring(colon + 1));
    }
    return Collections.unmodifiableMap(tags);
  }
}
