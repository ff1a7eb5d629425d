package dev.ums.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Keeps webhooks off the service's own network (SSRF): a webhook host that is, or resolves to, a
 * loopback, private, link-local (cloud metadata services included), unique-local, carrier-grade
 * NAT, multicast, unspecified or reserved address is refused, at registration and again before
 * every delivery turn, after DNS resolution. {@code ums.webhooks.allow-private-addresses} turns the
 * check off (development and tests, whose receivers listen on loopback).
 *
 * <p>At registration a host that does not resolve is accepted (its DNS may not exist yet); at
 * delivery it counts as a failed attempt. The check and the HTTP client's own connection resolve
 * the name separately; the JVM's address cache ({@code networkaddress.cache.ttl}, 30 s by default)
 * normally gives both the same answer, so a DNS rebinding attack must beat that cache.
 */
@Component
class WebhookAddresses {

  /** Name resolution, replaceable in tests; by default the JVM's. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final boolean allowPrivate;
  private final Resolver resolver;

  @Autowired
  WebhookAddresses(WebhookProperties props, ObjectProvider<Resolver> resolver) {
    this(props.allowPrivateAddresses(), resolver.getIfAvailable(() -> InetAddress::getAllByName));
  }

  WebhookAddresses(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  /** Why a new endpoint with this host is refused, or null when it is allowed. */
  String refusedAtRegistration(String host) {
    if (allowPrivate) {
      return null;
    }
    try {
      return refused(resolver.resolve(host));
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Why a delivery to this host must not be made now, or null when it may. */
  String refusedAtDelivery(String host) {
    if (allowPrivate) {
      return null;
    }
    try {
      return refused(resolver.resolve(host));
    } catch (UnknownHostException e) {
      return "host does not resolve";
    }
  }

  private static String refused(InetAddress[] addresses) {
    for (InetAddress a : addresses) {
      if (!isPublic(a)) {
        return "resolves to a private, loopback or link-local address";
      }
    }
    return null;
  }

  /** Whether {@code a} is a globally routable unicast address. */
  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress()
        || a.isLoopbackAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return isPublicV4(b[0] & 0xff, b[1] & 0xff, b[2] & 0xff);
    }
    if (a instanceof Inet6Address) {
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      if ((b0 & 0xfe) == 0xfc) {
        return false; // fc00::/7 unique local
      }
      if (b0 == 0x20 && b1 == 0x02) {
        return isPublicV4(b[2] & 0xff, b[3] & 0xff, b[4] & 0xff); // 2002::/16 6to4
      }
      // ::a.b.c.d (IPv4-compatible) and 64:ff9b::/96 (NAT64) carry an IPv4 address; Java already
      // turns ::ffff:a.b.c.d into an Inet4Address.
      if (zero(b, 0, 12)
          || (b[1] == 0x64
              && (b[2] & 0xff) == 0xff
              && (b[3] & 0xff) == 0x9b
              && b[0] == 0
              && zero(b, 4, 12))) {
        return isPublicV4(b[12] & 0xff, b[13] & 0xff, b[14] & 0xff);
      }
      return true;
    }
    return false;
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPublicV4(int b0, int b1, int b2) {
    return !(b0 == 0 // 0.0.0.0/8 "this network"
        || b0 == 10
        || b0 == 127
        || (b0 == 169 && b1 == 254) // link-local, cloud metadata
        || (b0 == 172 && (b1 & 0xf0) == 16)
        || (b0 == 192 && b1 == 168)
        || (b0 == 100 && (b1 & 0xc0) == 64) // 100.64.0.0/10 carrier-grade NAT
        || (b0 == 192 && b1 == 0 && b2 == 0) // 192.0.0.0/24 protocol assignments
        || (b0 == 198 && (b1 & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || b0 >= 224); // multicast, reserved, broadcast
  }
}
