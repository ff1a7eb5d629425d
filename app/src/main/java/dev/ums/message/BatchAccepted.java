package dev.ums.message;

import java.util.List;

/** The answer to an accepted batch: one entry per message, in request order. */
public record BatchAccepted(List<AcceptedMessage> messages) {}
