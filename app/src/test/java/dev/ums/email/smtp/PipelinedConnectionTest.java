package dev.ums.email.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the pipelined path can take on without the relay; its exchanges are tested end to end. */
class PipelinedConnectionTest {

  @Test
  void speaks_auth_plain_and_login_in_any_case_and_nothing_else() {
    assertThat(PipelinedConnection.speaksAuth("CRAM-MD5 DIGEST-MD5", false)).isFalse();
    assertThat(PipelinedConnection.speaksAuth("cram-md5 login", false)).isTrue();
    assertThat(PipelinedConnection.speaksAuth("PLAIN", false)).isTrue();
    assertThat(PipelinedConnection.speaksAuth(null, true)).isTrue();
    assertThat(PipelinedConnection.speaksAuth(null, false)).isFalse();
  }
}
