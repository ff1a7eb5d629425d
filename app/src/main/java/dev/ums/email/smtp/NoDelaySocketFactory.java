package dev.ums.email.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with {@code TCP_NODELAY}. SMTP is strictly request/response: with Nagle's algorithm
 * on, the tail of a message's DATA can wait for the relay's delayed ACK (up to 40 ms on Linux)
 * before it leaves, which caps each connection at a few dozen messages a second.
 */
final class NoDelaySocketFactory extends SocketFactory {

  static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

  /**
   * The socket this thread created last. Jakarta Mail keeps its socket to itself and its {@code
   * close()} waits for a running send, so a send's watchdog closes this socket instead (any TLS
   * layered on it then fails too).
   */
  private static final ThreadLocal<Socket> LAST = new ThreadLocal<>();

  /** The socket this thread created last, forgetting it; null if none. */
  static Socket takeLast() {
    Socket s = LAST.get();
    LAST.remove();
    return s;
  }

  @Override
  public Socket createSocket() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    LAST.set(s);
    return s;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
    Socket s = createSocket();
    if (local != null) {
      s.bind(local);
    }
    s.connect(remote);
    return s;
  }
}
