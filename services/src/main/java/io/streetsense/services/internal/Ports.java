package io.streetsense.services.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Deque;

/** Free loopback ports for child processes. */
public final class Ports {
  /**
   * Ports handed out recently by this JVM. A port is only bound by the child some seconds after we
   * released it, so without this two services starting in parallel could be given the same one.
   */
  private static final Deque<Integer> RECENT = new ArrayDeque<>();

  private static final int REMEMBERED = 256;

  private Ports() {}

  /**
   * Binds an ephemeral port on 127.0.0.1 and releases it. Racy by nature (another process may take
   * it before our child binds it); accepted for tests and the demo.
   */
  public static synchronized int freePort() {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("could not find a free port on 127.0.0.1", e);
      }
      if (!RECENT.contains(port)) {
        RECENT.addLast(port);
        if (RECENT.size() > REMEMBERED) {
          RECENT.removeFirst();
        }
        return port;
      }
    }
    throw new IllegalStateException("could not find a free port on 127.0.0.1 after 50 attempts");
  }

  /** True when something accepts TCP connections on 127.0.0.1:{@code port}. */
  public static boolean isAccepting(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
