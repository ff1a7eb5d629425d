package dev.ums.message;

import dev.ums.ratelimit.RateLimiter;
import dev.ums.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Takes the request from the client's requests/s bucket before the body is read: a client over its
 * rate gets its 429 without its body being parsed. The messages/s bucket needs the message count,
 * so {@link MessageController} takes from it after parsing.
 */
@Configuration(proxyBeanMethods = false)
class IntakeRateLimit implements WebMvcConfigurer, HandlerInterceptor {

  private final RateLimiter rateLimiter;

  IntakeRateLimit(RateLimiter rateLimiter) {
    this.rateLimiter = rateLimiter;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(this).addPathPatterns("/api/messages", "/api/messages/batch");
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    if ("POST".equals(request.getMethod())) {
      rateLimiter.checkRequest(Caller.current().clientId());
    }
    return true;
  }
}
