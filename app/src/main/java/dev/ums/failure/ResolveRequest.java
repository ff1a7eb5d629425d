package dev.ums.failure;

/** Body of {@code POST /api/admin/dead-letters/{id}/resolve}: who handled it, and how. */
record ResolveRequest(String by, String reason) {}
