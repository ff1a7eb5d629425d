package dev.ums.message;

import dev.ums.template.TemplateLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Templates live under intake's size limit: a template, and each part it renders to. */
@Configuration(proxyBeanMethods = false)
class TemplateIntakeConfig {

  @Bean
  TemplateLimits templateLimits(LimitsProperties limits) {
    return new TemplateLimits(limits.maxMessageBytes().toBytes());
  }
}
