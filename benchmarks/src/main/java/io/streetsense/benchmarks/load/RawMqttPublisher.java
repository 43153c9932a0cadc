package io.streetsense.benchmarks.load;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A minimal MQTT 3.1.1 publisher at QoS 1 for the load generator: CONNECT (clean session), PUBLISH
 * with packet ids, PUBACK, PINGREQ, DISCONNECT over one TCP connection. The protocol is the
 * devices' (each message is acknowledged by the broker), the cost is not: publishes are written
 * into a buffer and sent with one write per batch ({@link #flush}), and acknowledgements are read
 * by one thread without callbacks or per-message objects. A Paho client spends several times the
 * CPU per message on its threads, which on a shared 2-core machine would be taken from the system
 * under test (devices do not run on the pipeline's machine).
 *
 * <p>At most {@code window} publishes are unacknowledged; {@link #publish} blocks while the window
 * is full. Not for production: no reconnect, no TLS, no authentication.
 */
final class RawMqttPublisher implements AutoCloseable {
  /** Called from the reader thread for each PUBACK, with what {@link #publish} was given. */
  interface Acks {
    void acked(double context);
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final Object writeLock = new Object();
  private final Semaphore window;
  private final int windowSize;
  private final double[] contexts = new double[65_536];
  private final boolean[] inUse = new boolean[65_536];
  private final Acks acks;
  private final Thread reader;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private int nextId = 1;
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile boolean closing;

  RawMqttPublisher(String serverUri, String clientId, int window, Acks acks) throws IOException {
    if (window < 1 || window > 60_000) {
      throw new IllegalArgumentException("window must be within 1..60000, got " + window);
    }
    URI uri = URI.create(serverUri);
    if (!"tcp".equals(uri.getScheme())) {
      throw new IllegalArgumentException("only tcp:// is supported, got " + serverUri);
    }
    this.windowSize = window;
    this.window = new Semaphore(window);
    this.acks = acks;
    this.socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSendBufferSize(1 << 20);
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    this.in =
        new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16));
    connect(clientId);
    this.reader = new Thread(this::readLoop, "mqtt-raw-reader-" + clientId);
    reader.setDaemon(true);
    reader.start();
  }

  private void connect(String clientId) throws IOException {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    int remaining = 10 + 2 + id.length;
    out.write(0x10);
    writeLength(remaining);
    out.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60});
    out.write(id.length >> 8);
    out.write(id.length & 0xff);
    out.write(id);
    out.flush();
    socket.setSoTimeout(15_000);
    int type = in.readUnsignedByte();
    int length = in.readUnsignedByte();
    byte[] body = new byte[length];
    in.readFully(body);
    if (type != 0x20 || length != 2 || body[1] != 0) {
      throw new IOException(
          "MQTT CONNACK refused or unexpected: type " + type + ", return code " + body[1]);
    }
    socket.setSoTimeout(0);
  }

  /**
   * Queues a QoS 1 PUBLISH (sent on the next {@link #flush} or when the buffer fills); waits while
   * the window is full. {@code context} comes back with its acknowledgement.
   */
  void publish(byte[] topic, byte[] payload, double context)
      throws IOException, InterruptedException {
    Throwable f = failure.get();
    if (f != null) {
      throw new IOException("the connection failed: " + f, f);
    }
    if (!window.tryAcquire()) {
      flush();
      if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IOException("the broker acknowledged nothing for 60 s");
      }
    }
    synchronized (writeLock) {
      int id;
      synchronized (contexts) {
        while (inUse[nextId]) {
          nextId = nextId == 65_535 ? 1 : nextId + 1;
        }
        id = nextId;
        nextId = nextId == 65_535 ? 1 : nextId + 1;
        inUse[id] = true;
        contexts[id] = context;
      }
      out.write(0x32);
      writeLength(2 + topic.length + 2 + payload.length);
      out.write(topic.length >> 8);
      out.write(topic.length & 0xff);
      out.write(topic);
      out.write(id >> 8);
      out.write(id & 0xff);
      out.write(payload);
      lastWriteNanos = System.nanoTime();
    }
  }

  /** Sends what is buffered. */
  void flush() throws IOException {
    synchronized (writeLock) {
      out.flush();
    }
  }

  /** Publishes not yet acknowledged. */
  int unacknowledged() {
    return windowSize - window.availablePermits();
  }

  /** Waits until every publish is acknowledged (or the timeout passes); true if all were. */
  boolean awaitAcks(long timeoutMillis) throws InterruptedException, IOException {
    flush();
    if (window.tryAcquire(windowSize, timeoutMillis, TimeUnit.MILLISECONDS)) {
      window.release(windowSize);
      return true;
    }
    return false;
  }

  private void writeLength(int length) throws IOException {
    int x = length;
    do {
      int b = x % 128;
      x /= 128;
      out.write(x > 0 ? b | 0x80 : b);
    } while (x > 0);
  }

  private void readLoop() {
    try {
      socket.setSoTimeout(1_000);
      while (!closing) {
        int type;
        try {
          type = in.readUnsignedByte();
        } catch (java.net.SocketTimeoutException e) {
          ping();
          continue;
        }
        int length = 0;
        int shift = 0;
        int b;
        do {
          b = in.readUnsignedByte();
          length |= (b & 0x7f) << shift;
          shift += 7;
        } while ((b & 0x80) != 0);
        if ((type & 0xf0) == 0x40 && length == 2) {
          int id = in.readUnsignedShort();
          double context;
          synchronized (contexts) {
            context = contexts[id];
            inUse[id] = false;
          }
          window.release();
          acks.acked(context);
        } else {
          in.skipBytes(length);
        }
        ping();
      }
    } catch (EOFException e) {
      if (!closing) {
        failure.compareAndSet(null, e);
      }
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        failure.compareAndSet(null, e);
      }
    } finally {
      // Wake a publisher waiting for the window, so it sees the failure.
      window.release(windowSize);
    }
  }

  /** Keeps the connection alive (keep-alive 60 s) when nothing was written for 20 s. */
  private void ping() throws IOException {
    if (System.nanoTime() - lastWriteNanos > 20_000_000_000L) {
      synchronized (writeLock) {
        out.write(0xc0);
        out.write(0);
        out.flush();
        lastWriteNanos = System.nanoTime();
      }
    }
  }

  Throwable failure() {
    return failure.get();
  }

  @Override
  public void close() {
    closing = true;
    try {
      synchronized (writeLock) {
        out.write(0xe0);
        out.write(0);
        out.flush();
      }
    } catch (IOException e) {
      // going anyway
    }
    try {
      socket.close();
    } catch (IOException e) {
      // closed
    }
    try {
      reader.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
