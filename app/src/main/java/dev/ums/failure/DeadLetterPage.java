package dev.ums.failure;

import java.util.List;

/**
 * One page of dead letters, newest first.
 *
 * @param nextCursor pass as {@code cursor} to get the next page; null on the last page
 */
public record DeadLetterPage(List<DeadLetter> items, String nextCursor) {}
