package dev.ums.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.logout.CookieClearingLogoutHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The operator console ({@code /console/**}): a browser UI with a server session, unlike the
 * stateless JSON API. Checked before the API's chain ({@link SecurityConfig}), which never sees
 * these paths.
 *
 * <ul>
 *   <li>Sign-in exchanges an ADMIN key for a session ({@link ConsoleSignIn}); the session cookie
 *       ({@value #COOKIE}, path {@code /console}) is HttpOnly and SameSite=Strict, and Secure when
 *       the request came over TLS (see {@code server.servlet.session.cookie} in application.yml).
 *   <li>Every state-changing request carries the session's CSRF token ({@code _csrf} in each form);
 *       one without it is refused with 403 and changes nothing. Sign-in is no exception.
 *   <li>A session ends after {@code ums.console.idle-timeout} without a request, at sign-out, or at
 *       the first request after its key was revoked.
 *   <li>Pages may only load scripts, styles and frames from UMS itself (CSP), may be framed only by
 *       UMS (a captured mail's HTML part is shown in a sandboxed frame), and send no referrer
 *       outside UMS.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class ConsoleSecurityConfig {

  /** The console's session cookie. */
  static final String COOKIE = "UMS_CONSOLE";

  static final String SIGN_IN = "/console/sign-in";

  /** Console pages: nothing but UMS's own scripts, styles, images and frames. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none';"
          + " object-src 'none'";

  @Bean
  @Order(1)
  SecurityFilterChain console(HttpSecurity http, ConsoleSignIn signIn, AuditLog audit)
      throws Exception {
    Cookie expired = new Cookie(COOKIE, null);
    expired.setPath("/console");
    expired.setMaxAge(0);
    expired.setHttpOnly(true);
    http.securityMatcher("/console", "/console/**")
        .httpBasic(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .securityContext(c -> c.securityContextRepository(signIn.contexts()))
        .sessionManagement(
            s ->
                s.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED)
                    .invalidSessionUrl(SIGN_IN + "?expired"))
        .addFilterBefore(new RevokedKeyFilter(signIn), AuthorizationFilter.class)
        .logout(
            l ->
                l.logoutUrl("/console/sign-out")
                    .addLogoutHandler(
                        (req, res, auth) -> {
                          if (auth != null && auth.getPrincipal() instanceof Caller c) {
                            audit.record("console.sign_out", c.keyId().toString(), "OK");
                          }
                        })
                    .addLogoutHandler(new CookieClearingLogoutHandler(expired))
                    .logoutSuccessUrl(SIGN_IN + "?signed-out"))
        .headers(
            h ->
                h.frameOptions(f -> f.sameOrigin())
                    .contentSecurityPolicy(c -> c.policyDirectives(CSP))
                    .referrerPolicy(r -> r.policy(ReferrerPolicy.SAME_ORIGIN)))
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint(SIGN_IN))
                    .accessDeniedHandler((req, res, ex) -> refused(res)))
        .authorizeHttpRequests(
            a ->
                a.requestMatchers(SIGN_IN, "/console/assets/**")
                    .permitAll()
                    .anyRequest()
                    .hasRole(Role.ADMIN.name()));
    return http.build();
  }

  /**
   * 403 as a small page: a request without a valid CSRF token (or a stale one, after the session
   * ended). Nothing was changed.
   */
  private static void refused(HttpServletResponse res) throws IOException {
    res.setStatus(HttpServletResponse.SC_FORBIDDEN);
    res.setContentType("text/html;charset=UTF-8");
    res.getOutputStream()
        .write(
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Refused · UMS console</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="stylesheet" href="/console/assets/console.css"></head>
            <body><main class="narrow"><h1>Request refused</h1>
            <p>This request did not carry a valid form token, so nothing was changed.
            The page may be older than your session.</p>
            <p><a href="/console">Back to the console</a></p></main></body></html>
            """
                .getBytes(StandardCharsets.UTF_8));
  }

  /** Ends a console session whose key was revoked since sign-in; the next page asks to sign in. */
  private static final class RevokedKeyFilter extends OncePerRequestFilter {
    private final ConsoleSignIn signIn;

    RevokedKeyFilter(ConsoleSignIn signIn) {
      this.signIn = signIn;
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      if (!signIn.stillValid(SecurityContextHolder.getContext().getAuthentication())) {
        HttpSession session = request.getSession(false);
        if (session != null) {
          session.invalidate();
        }
        SecurityContextHolder.clearContext();
        response.sendRedirect(SIGN_IN + "?revoked");
        return;
      }
      chain.doFilter(request, response);
    }
  }
}
