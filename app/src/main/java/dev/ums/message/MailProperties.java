package dev.ums.message;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.mail.*}: how UMS names itself in the mail it sends.
 *
 * @param defaultFrom sender used when a request gives none; the only one a client without sender
 *     domains may use
 * @param messageIdDomain right-hand side of the {@code Message-ID} the dispatcher writes ({@code
 *     <id@domain>})
 */
@ConfigurationProperties("ums.mail")
public record MailProperties(
    @DefaultValue("UMS <no-reply@ums.localhost>") String defaultFrom,
    @DefaultValue("ums.localhost") String messageIdDomain) {}
