package dev.ums.bounce;

import java.util.List;

/**
 * One page of bounces, newest first.
 *
 * @param nextCursor pass as {@code cursor} to get the next page; null on the last page
 */
record BouncePage(List<BounceView> items, String nextCursor) {}
