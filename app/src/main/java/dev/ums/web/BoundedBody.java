package dev.ums.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A request whose body can be read only up to a limit, and only as well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF; JSON parsers decode overlong forms without
 * complaint). Bytes are counted as they are read, so a chunked body of any size costs at most the
 * limit: past it every read fails with {@link TooLarge}, and nothing more is taken from the socket.
 */
public final class BoundedBody extends HttpServletRequestWrapper {

  private final long maxBytes;
  private Stream stream;
  private BufferedReader reader;

  private BoundedBody(HttpServletRequest request, long maxBytes) {
    super(request);
    this.maxBytes = maxBytes;
  }

  public static HttpServletRequest wrap(HttpServletRequest request, long maxBytes) {
    return new BoundedBody(request, maxBytes);
  }

  @Override
  public ServletInputStream getInputStream() throws IOException {
    if (stream == null) {
      stream = new Stream(super.getInputStream(), maxBytes);
    }
    return stream;
  }

  @Override
  public BufferedReader getReader() throws IOException {
    if (reader == null) {
      reader = new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }
    return reader;
  }

  /** The body went past the limit; the rest was not read. */
  public static final class TooLarge extends IOException {
    private final long limit;

    TooLarge(long limit) {
      super("request body exceeds " + limit + " bytes", null);
      this.limit = limit;
    }

    public long limit() {
      return limit;
    }
  }

  /** The body is not well-formed UTF-8. */
  public static final class MalformedUtf8 extends IOException {
    MalformedUtf8() {
      super("request body is not well-formed UTF-8", null);
    }
  }

  private static final class Stream extends ServletInputStream {

    private final ServletInputStream in;
    private final long maxBytes;
    private long count;
    private IOException failed;
    // UTF-8 decoder state: continuation bytes still expected, and the range the next one must be
    // in.
    private int pending;
    private int low = 0x80;
    private int high = 0xBF;

    Stream(ServletInputStream in, long maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (failed != null) {
        throw failed;
      }
      // Never ask for more than one byte past the limit: that byte proves the body is too large.
      long room = maxBytes - count + 1;
      int n = in.read(b, off, (int) Math.min(len, room));
      if (n == -1) {
        if (pending != 0) {
          throw fail(new MalformedUtf8());
        }
        return -1;
      }
      count += n;
      if (count > maxBytes) {
        throw fail(new TooLarge(maxBytes));
      }
      checkUtf8(b, off, n);
      return n;
    }

    private void checkUtf8(byte[] b, int off, int n) throws IOException {
      for (int i = off; i < off + n; i++) {
        int c = b[i] & 0xFF;
        if (pending == 0) {
          if (c < 0x80) {
            continue;
          }
          if (c >= 0xC2 && c <= 0xDF) {
            expect(1, 0x80, 0xBF);
          } else if (c == 0xE0) {
            expect(2, 0xA0, 0xBF); // no overlong 3-byte form
          } else if (c == 0xED) {
            expect(2, 0x80, 0x9F); // no UTF-16 surrogates
          } else if (c >= 0xE1 && c <= 0xEF) {
            expect(2, 0x80, 0xBF);
          } else if (c == 0xF0) {
            expect(3, 0x90, 0xBF); // no overlong 4-byte form
          } else if (c >= 0xF1 && c <= 0xF3) {
            expect(3, 0x80, 0xBF);
          } else if (c == 0xF4) {
            expect(3, 0x80, 0x8F); // nothing above U+10FFFF
          } else {
            throw fail(new MalformedUtf8()); // C0, C1 (overlong), F5..FF, stray continuation
          }
        } else {
          if (c < low || c > high) {
            throw fail(new MalformedUtf8());
          }
          expect(pending - 1, 0x80, 0xBF);
        }
      }
    }

    private void expect(int continuations, int lo, int hi) {
      pending = continuations;
      low = lo;
      high = hi;
    }

    private IOException fail(IOException e) {
      failed = e;
      return e;
    }

    @Override
    public boolean isFinished() {
      return failed != null || in.isFinished();
    }

    @Override
    public boolean isReady() {
      return failed == null && in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }

    @Override
    public int available() throws IOException {
      return failed != null ? 0 : in.available();
    }
  }
}
