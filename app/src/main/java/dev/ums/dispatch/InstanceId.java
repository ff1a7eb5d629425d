package dev.ums.dispatch;

import java.util.UUID;

/**
 * This instance's name in {@code outbox.claimed_by} and in cross-instance signals: {@code
 * ums.dispatch.instance-id}, or host-pid-random when unset.
 */
public record InstanceId(String value) {

  static InstanceId of(DispatchProperties props) {
    return new InstanceId(
        props.instanceId() == null || props.instanceId().isBlank()
            ? generated()
            : props.instanceId());
  }

  private static String generated() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "host";
    }
    return host
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
