/**
 * The operator console: server-rendered pages at {@code /console} for looking at delivery and
 * fixing it (overview, messages, dead letters, API keys, the capture inbox in development mode). It
 * holds no state of its own and writes nothing itself: every action is a call to the feature that
 * owns it (re-drive, resolve and cancel through the ledger's services, keys through {@code
 * ApiKeys}), audited as the admin API audits it. Sign-in and sessions are {@code
 * dev.ums.security.ConsoleSignIn}'s.
 */
package dev.ums.console;
