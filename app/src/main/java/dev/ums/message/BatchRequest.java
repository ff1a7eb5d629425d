package dev.ums.message;

import java.util.List;

/** The JSON body of {@code POST /api/messages/batch}. */
public record BatchRequest(List<SendRequest> messages) {}
