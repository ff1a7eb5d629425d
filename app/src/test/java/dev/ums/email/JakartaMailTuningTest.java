package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.activation.CommandMap;
import jakarta.mail.util.StreamProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class JakartaMailTuningTest {

  @Test
  void names_the_stream_provider_the_service_loader_would_find_and_caches_content_handlers() {
    JakartaMailTuning.apply();

    String scanned =
        ServiceLoader.load(StreamProvider.class).findFirst().orElseThrow().getClass().getName();
    assertThat(scanned).isEqualTo(JakartaMailTuning.ANGUS_STREAM_PROVIDER);
    assertThat(System.getProperty(JakartaMailTuning.STREAM_PROVIDER)).isEqualTo(scanned);
    assertThat(StreamProvider.provider().getClass().getName()).isEqualTo(scanned);
    assertThat(CommandMap.getDefaultCommandMap()).isInstanceOf(CachingCommandMap.class);
  }
}
