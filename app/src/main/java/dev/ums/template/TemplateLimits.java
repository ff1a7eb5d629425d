package dev.ums.template;

/**
 * The size bound templates live under, given by intake (its {@code ums.limits.max-message-bytes}):
 * a template's parts together, and each rendered part, must fit in it.
 */
public record TemplateLimits(long maxBytes) {}
