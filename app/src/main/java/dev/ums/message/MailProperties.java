package dev.ums.message;

import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ums.mail.*}: how UMS names itself in the mail it sends.
 *
 * @param defaultFrom sender used when a request gives none; the only one a client without sender
 *     domains may use
 * @param messageIdDomain right-hand side of the {@code Message-ID} the dispatcher writes ({@code
 *     <id@domain>})
 * @param bounceDomain when set, each message's envelope sender ({@code MAIL FROM}) is its own
 *     return path {@code bounces+<message id>@<bounce domain>} (VERP), so a bounce names the
 *     message it is about; unset (the default), the envelope sender is the {@code From} address
 */
@ConfigurationProperties("ums.mail")
@Validated
public record MailProperties(
    @DefaultValue("UMS <no-reply@ums.localhost>") String defaultFrom,
    @DefaultValue("ums.localhost") String messageIdDomain,
    @Pattern(
            regexp =
                "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+",
            message = "must be a host name such as bounces.example.com")
        String bounceDomain) {}
