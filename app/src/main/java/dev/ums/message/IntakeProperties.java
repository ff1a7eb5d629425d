package dev.ums.message;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Intake settings.
 *
 * @param defaultFrom {@code ums.mail.default-from}: sender used when a request gives none
 * @param maxMessageBytes {@code ums.limits.max-message-bytes}: subject + bodies + headers, UTF-8
 * @param maxRecipients {@code ums.limits.max-recipients}: to + cc + bcc of one message
 * @param maxBatchSize {@code ums.limits.max-batch-size}: messages in one batch request
 * @param maxRequestBytes {@code ums.limits.max-request-bytes}: raw HTTP body, checked against
 *     {@code Content-Length} before reading and counted while reading (chunked bodies too)
 * @param maxSchedule {@code ums.limits.max-schedule}: how far ahead {@code sendAt} may be
 * @param deniedHeaderPrefixes {@code ums.limits.denied-header-prefixes}: custom header names that
 *     start with any of these (ignoring case) are refused, as mail systems trust such headers
 * @param maxAttachmentBytes {@code ums.limits.max-attachment-bytes}: the decoded bytes of all of a
 *     message's attachments together
 * @param refusedAttachmentExtensions {@code ums.limits.refused-attachment-extensions}: file name
 *     extensions refused in attachments (ignoring case)
 * @param refusedAttachmentTypes {@code ums.limits.refused-attachment-types}: content types refused
 *     in attachments (ignoring case)
 * @param idempotencyTtl {@code ums.idempotency.ttl}: how long a key is remembered
 * @param intake {@code ums.intake.*}: how single messages are written
 */
@ConfigurationProperties("ums")
public record IntakeProperties(
    @DefaultValue Mail mail,
    @DefaultValue Limits limits,
    @DefaultValue Idempotency idempotency,
    @DefaultValue Intake intake) {

  /** {@code ums.mail.*} */
  public record Mail(
      @DefaultValue("UMS <no-reply@ums.localhost>") String defaultFrom,
      @DefaultValue("ums.localhost") String messageIdDomain) {}

  /** {@code ums.limits.*} */
  public record Limits(
      @DefaultValue("10MB") DataSize maxMessageBytes,
      @DefaultValue("50") int maxRecipients,
      @DefaultValue("500") int maxBatchSize,
      @DefaultValue("64MB") DataSize maxRequestBytes,
      @DefaultValue("30d") Duration maxSchedule,
      @DefaultValue({
            // Microsoft 365 / Exchange: X-MS-Exchange-Organization-* (SCL, AuthAs, ...) and
            // transport headers, the anti-spam verdicts
            "X-MS-Exchange-",
            "X-Microsoft-Antispam",
            "X-Forefront-",
            // spam and virus filter verdicts (SpamAssassin, Rspamd, ClamAV, ...)
            "X-Spam-",
            "X-Virus-",
            // what receiving and filtering systems add about a message's origin and checks
            "X-Originating-IP",
            "X-Authenticated-",
            "X-Original-",
            "X-Received",
            "X-Google-",
            "X-Gm-",
            "X-Proofpoint-",
            "X-Mimecast-",
            "X-Barracuda-",
            "X-IronPort-",
            // not X- names, so already refused; listed so that stays true if that rule changes
            "Authentication-Results",
            "ARC-",
            "DKIM-Signature",
            "DomainKey-Signature",
            "Received",
            "Return-Path",
            "Delivered-To"
          })
          List<String> deniedHeaderPrefixes,
      @DefaultValue("10MB") DataSize maxAttachmentBytes,
      // What mail providers refuse as executable or script content (Gmail's list): programs,
      // installers, scripts, shortcuts, and disk images used to smuggle them past filters.
      @DefaultValue({
            "ade",
            "adp",
            "apk",
            "appx",
            "appxbundle",
            "bat",
            "cab",
            "chm",
            "cmd",
            "com",
            "cpl",
            "diagcab",
            "diagcfg",
            "diagpack",
            "dll",
            "dmg",
            "ex",
            "ex_",
            "exe",
            "hta",
            "img",
            "ins",
            "iso",
            "isp",
            "jar",
            "jnlp",
            "js",
            "jse",
            "lib",
            "lnk",
            "mde",
            "mjs",
            "msc",
            "msi",
            "msix",
            "msixbundle",
            "msp",
            "mst",
            "nsh",
            "pif",
            "ps1",
            "scr",
            "sct",
            "shb",
            "sys",
            "vb",
            "vbe",
            "vbs",
            "vhd",
            "vxd",
            "wsc",
            "wsf",
            "wsh",
            "xll"
          })
          List<String> refusedAttachmentExtensions,
      @DefaultValue({
            "application/x-msdownload",
            "application/x-msdos-program",
            "application/x-dosexec",
            "application/x-executable",
            "application/x-msi",
            "application/x-ms-installer",
            "application/x-ms-shortcut",
            "application/vnd.microsoft.portable-executable",
            "application/java-archive",
            "application/x-java-archive",
            "application/x-java-jnlp-file",
            "application/hta",
            "application/x-bat",
            "application/x-sh",
            "application/x-csh",
            "application/vnd.ms-cab-compressed",
            "application/x-apple-diskimage",
            "application/x-iso9660-image",
            "application/vnd.android.package-archive"
          })
          List<String> refusedAttachmentTypes) {

    @ConstructorBinding
    public Limits {
      deniedHeaderPrefixes = deniedHeaderPrefixes == null ? List.of() : deniedHeaderPrefixes;
      if (deniedHeaderPrefixes.stream().anyMatch(p -> p == null || p.isBlank())) {
        throw new IllegalArgumentException("ums.limits.denied-header-prefixes has a blank entry");
      }
      deniedHeaderPrefixes = List.copyOf(deniedHeaderPrefixes);
      refusedAttachmentExtensions = lowerCase(refusedAttachmentExtensions);
      refusedAttachmentTypes = lowerCase(refusedAttachmentTypes);
    }

    /** Limits without attachment settings (attachments up to 10 MB, no type refused). */
    public Limits(
        DataSize maxMessageBytes,
        int maxRecipients,
        int maxBatchSize,
        DataSize maxRequestBytes,
        Duration maxSchedule,
        List<String> deniedHeaderPrefixes) {
      this(
          maxMessageBytes,
          maxRecipients,
          maxBatchSize,
          maxRequestBytes,
          maxSchedule,
          deniedHeaderPrefixes,
          DataSize.ofMegabytes(10),
          List.of(),
          List.of());
    }

    private static List<String> lowerCase(List<String> values) {
      return values == null
          ? List.of()
          : values.stream()
              .map(v -> v.strip().toLowerCase(java.util.Locale.ROOT))
              .filter(v -> !v.isEmpty())
              .map(v -> v.startsWith(".") ? v.substring(1) : v)
              .toList();
    }
  }

  /** {@code ums.idempotency.*} */
  public record Idempotency(
      @DefaultValue("24h") Duration ttl, @DefaultValue("10m") Duration purgeInterval) {}

  /**
   * {@code ums.intake.*}: group commit of single-message requests on PostgreSQL.
   *
   * @param groupCommit write concurrent single requests together, one transaction per group
   * @param writers threads (and database connections) writing groups
   * @param maxGroup most requests in one group
   */
  public record Intake(
      @DefaultValue("true") boolean groupCommit,
      @DefaultValue("2") int writers,
      @DefaultValue("256") int maxGroup) {

    public Intake {
      if (writers < 1 || maxGroup < 1) {
        throw new IllegalArgumentException("ums.intake.writers and max-group must be at least 1");
      }
    }
  }
}
