package dev.ums.message;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code ums.limits.*}: what one request may hold.
 *
 * @param maxMessageBytes subject + bodies + headers of one message, UTF-8
 * @param maxRecipients to + cc + bcc of one message
 * @param maxBatchSize messages in one batch request
 * @param maxRequestBytes raw HTTP body, checked against {@code Content-Length} before reading and
 *     counted while reading (chunked bodies too)
 * @param maxSchedule how far ahead {@code sendAt} may be
 * @param deniedHeaderPrefixes custom header names that start with any of these (ignoring case) are
 *     refused, as mail systems trust such headers; setting it replaces the whole list
 * @param maxAttachmentBytes the decoded bytes of all of a message's attachments together
 * @param refusedAttachmentExtensions file name extensions refused in attachments (ignoring case, a
 *     leading dot allowed); setting it replaces the whole list
 * @param refusedAttachmentTypes content types refused in attachments (ignoring case); setting it
 *     replaces the whole list
 */
@ConfigurationProperties("ums.limits")
record LimitsProperties(
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
  LimitsProperties {
    deniedHeaderPrefixes = deniedHeaderPrefixes == null ? List.of() : deniedHeaderPrefixes;
    if (deniedHeaderPrefixes.stream().anyMatch(p -> p == null || p.isBlank())) {
      throw new IllegalArgumentException("ums.limits.denied-header-prefixes has a blank entry");
    }
    deniedHeaderPrefixes = List.copyOf(deniedHeaderPrefixes);
    refusedAttachmentExtensions = lowerCase(refusedAttachmentExtensions);
    refusedAttachmentTypes = lowerCase(refusedAttachmentTypes);
  }

  /** Limits without attachment settings (attachments up to 10 MB, no type refused): tests. */
  LimitsProperties(
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
            .map(v -> v.strip().toLowerCase(Locale.ROOT))
            .filter(v -> !v.isEmpty())
            .map(v -> v.startsWith(".") ? v.substring(1) : v)
            .toList();
  }
}
