package dev.ums.email;

import dev.ums.support.Mode;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches in development mode when {@code ums.smtp.host} is missing or blank: the embedded capture
 * inbox takes the mail. Outside development mode a missing relay stops start-up instead.
 */
class CaptureInboxMode implements Condition {

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    return Mode.of(context.getEnvironment()).development()
        && !StringUtils.hasText(context.getEnvironment().getProperty("ums.smtp.host"));
  }
}
