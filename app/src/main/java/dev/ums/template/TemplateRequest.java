package dev.ums.template;

/** The body of {@code POST /api/templates}: a new template, or a new version of one. */
record TemplateRequest(String name, String subject, String html, String text) {}
