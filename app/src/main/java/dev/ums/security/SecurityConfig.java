package dev.ums.security;

import dev.ums.web.ProblemWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Who may call what. Stateless: every request carries its API key, and no session is created or
 * read. (The browser console under {@code /console} has its own chain with a session: {@link
 * ConsoleSecurityConfig}.)
 *
 * <ul>
 *   <li>{@code /actuator/health/**}: open (load balancers and probes).
 *   <li>{@code /}: open; it only redirects a browser to the console.
 *   <li>The API description ({@code /v3/api-docs}, {@code /swagger-ui.html}) and web jars: open.
 *       They describe the API as the README does and hold no data; every call made from Swagger UI
 *       still needs a key.
 *   <li>{@code /actuator/prometheus}: ADMIN, or open with {@code ums.security.open-prometheus=true}
 *       (for a scraper inside a trusted network).
 *   <li>{@code /api/admin/**}, {@code /api/dev/**}: ADMIN.
 *   <li>{@code /api/messages/**}: SENDER or ADMIN (a SENDER sees only its own client's messages).
 *   <li>{@code /api/templates/**}: SENDER or ADMIN (every key sees only its own client's
 *       templates).
 *   <li>{@code /api/webhooks/**}, {@code /api/suppressions/**}: SENDER or ADMIN, scoped to the
 *       caller's own client.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfig {

  /**
   * A path or header the HTTP firewall refuses ({@code ..}, {@code ;}, {@code //}, {@code %25},
   * control characters) is the client's mistake: 400 problem+json, not a 500. Neither the value nor
   * the firewall's message (which quotes it) is logged.
   */
  @Bean
  RequestRejectedHandler requestRejectedHandler() {
    return (request, response, e) -> ProblemWriter.rejected(response);
  }

  @Bean
  SecurityFilterChain api(
      HttpSecurity http,
      ApiKeys keys,
      FailedAuthLimiter limiter,
      MeterRegistry meters,
      SecurityProperties props)
      throws Exception {
    boolean openPrometheus = props.openPrometheus();
    http.csrf(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .addFilterBefore(
            new ApiKeyFilter(keys, limiter, meters), AnonymousAuthenticationFilter.class)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (req, res, ex) ->
                            ApiKeyFilter.unauthorized(
                                res, "An API key is required: Authorization: Bearer <key>"))
                    .accessDeniedHandler(
                        (req, res, ex) ->
                            ProblemWriter.write(
                                res,
                                HttpStatus.FORBIDDEN,
                                "forbidden",
                                "Forbidden",
                                "This API key's role may not do this",
                                Map.of())))
        .authorizeHttpRequests(
            a -> {
              a.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll();
              a.requestMatchers(
                      "/",
                      "/swagger-ui.html",
                      "/swagger-ui/**",
                      "/v3/api-docs",
                      "/v3/api-docs/**",
                      "/webjars/**")
                  .permitAll();
              if (openPrometheus) {
                a.requestMatchers("/actuator/prometheus").permitAll();
              }
              a.requestMatchers("/actuator/**", "/api/admin/**", "/api/dev/**").hasRole("ADMIN");
              a.requestMatchers(
                      "/api/messages",
                      "/api/messages/**",
                      "/api/webhooks",
                      "/api/webhooks/**",
                      "/api/suppressions",
                      "/api/suppressions/**",
                      "/api/bounces",
                      "/api/bounces/**",
                      "/api/templates",
                      "/api/templates/**")
                  .hasAnyRole("SENDER", "ADMIN");
              a.anyRequest().authenticated();
            });
    return http.build();
  }

  @Bean
  FailedAuthLimiter failedAuthLimiter(SecurityProperties props) {
    return new FailedAuthLimiter(
        props.failedAuthPerSecond(),
        props.failedAuthBurst(),
        props.failedAuthAddresses(),
        System::nanoTime);
  }
}
