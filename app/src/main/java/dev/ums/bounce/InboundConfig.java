package dev.ums.bounce;

import dev.ums.ledger.Ledger;
import dev.ums.message.MailProperties;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the inbound listener when {@code ums.inbound.enabled=true} (never in the command-line
 * modes). It needs {@code ums.mail.bounce-domain}: the listener takes mail for that domain only,
 * and matches reports by the return paths the dispatcher writes there.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(InboundConfig.Enabled.class)
class InboundConfig {

  @Bean
  InboundReports inboundReports(
      Ledger ledger,
      Suppressions suppressions,
      RecipientIndex index,
      TransactionTemplate tx,
      Clock clock,
      MailProperties mail,
      MeterRegistry meters) {
    return new InboundReports(
        ledger, suppressions, index, tx, clock, bounceDomain(mail), mail.messageIdDomain(), meters);
  }

  @Bean
  InboundListener inboundListener(
      InboundProperties props, MailProperties mail, InboundReports reports) {
    return new InboundListener(props, bounceDomain(mail), reports);
  }

  private static String bounceDomain(MailProperties mail) {
    if (mail.bounceDomain() == null || mail.bounceDomain().isBlank()) {
      throw new IllegalStateException(
          "ums.mail.bounce-domain is required when ums.inbound.enabled=true");
    }
    return mail.bounceDomain();
  }

  /** {@code ums.inbound.enabled}, outside the command-line modes. */
  static final class Enabled implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      if (context.getEnvironment().getProperty("ums.cli", Boolean.class, false)) {
        return false;
      }
      return Binder.get(context.getEnvironment())
          .bindOrCreate("ums.inbound", InboundProperties.class)
          .enabled();
    }
  }
}
