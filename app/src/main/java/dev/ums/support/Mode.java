package dev.ums.support;

import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * How UMS runs. {@link #DEVELOPMENT} is switched on explicitly, with the Spring profile {@code dev}
 * (the README's one-command run does); only there do the embedded H2 database, the SMTP capture
 * inbox, generated development keys and the printed development admin key exist. Anything else is
 * {@link #PRODUCTION}: every setting those conveniences would stand in for must be configured, or
 * start-up stops naming each missing one ({@link StartupSettings}).
 */
public enum Mode {
  /** The {@code dev} profile: local conveniences on, nothing here may carry real mail. */
  DEVELOPMENT,
  /** Everything else: no default stands in for a missing setting. */
  PRODUCTION;

  /** The profile that switches development mode on. */
  public static final String DEV_PROFILE = "dev";

  /** The mode {@code env} asks for. */
  public static Mode of(Environment env) {
    return env.acceptsProfiles(Profiles.of(DEV_PROFILE)) ? DEVELOPMENT : PRODUCTION;
  }

  public boolean development() {
    return this == DEVELOPMENT;
  }
}
