package dev.ums;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The jar's command-line modes, run as an operator would, against the test PostgreSQL database (the
 * session listener points spring.datasource.url at it).
 */
class CommandLineTest {

  private static final String[] DEV_KEYSET = {
    "--spring.profiles.active=dev", "--ums.crypto.dev-keyset-path=target/test-keyset.json"
  };

  private static String[] args(String... command) {
    String[] all = new String[command.length + DEV_KEYSET.length];
    System.arraycopy(command, 0, all, 0, command.length);
    System.arraycopy(DEV_KEYSET, 0, all, command.length, DEV_KEYSET.length);
    return all;
  }

  @Test
  void keys_create_then_list_shows_the_label_only() {
    ByteArrayOutputStream created = new ByteArrayOutputStream();
    int code =
        UmsApplication.keys(
            args("keys", "create", "--client", "cli-shop", "--role", "SENDER"),
            new PrintStream(created, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    Matcher m =
        Pattern.compile("label=(key_\\S+)[\\s\\S]*key=(ums_\\S+)")
            .matcher(created.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).as(created.toString(StandardCharsets.UTF_8)).isTrue();

    ByteArrayOutputStream listed = new ByteArrayOutputStream();
    assertThat(
            UmsApplication.keys(
                args("keys", "list"), new PrintStream(listed, true, StandardCharsets.UTF_8)))
        .isZero();
    assertThat(listed.toString(StandardCharsets.UTF_8))
        .contains(m.group(1) + " client=cli-shop role=SENDER")
        .doesNotContain(m.group(2))
        .doesNotContain(m.group(2).substring(0, 12));
  }

  @Test
  void crypto_reencrypt_reports_progress_and_that_old_keys_may_go() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        UmsApplication.crypto(
            args("crypto", "reencrypt"), new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("remaining_old_key=0").contains("older keys may be removed");

    ByteArrayOutputStream usage = new ByteArrayOutputStream();
    assertThat(
            UmsApplication.crypto(
                new String[] {"crypto"}, new PrintStream(usage, true, StandardCharsets.UTF_8)))
        .isEqualTo(2);
  }
}
