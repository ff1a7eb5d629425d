package dev.ums;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** UMS: accepts email over HTTP, stores it with an outbox row, delivers it in the background. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class UmsApplication {

  public static void main(String[] args) {
    SpringApplication.run(UmsApplication.class, args);
  }

  /** The one time source; tests replace it with a settable clock. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
